"""Pre-loading / pre-arrival checks of single consignments, from many requests at once.

Requests wait (without holding a thread) while one thread assesses whatever has arrived as one
batch: the fixed cost of a Polars query is paid once per batch instead of once per consignment.
A batch lingers a few milliseconds for company, so that under load there are fewer, larger
batches and the interpreter is left to the requests. The work is the same preparation and
`assess` as for a file."""

import asyncio
import queue
import threading
import time
from dataclasses import dataclass
from itertools import groupby

from smartborder.intake.errors import by_row
from smartborder.intake.records import prepare_records
from smartborder.risk.engine import assess
from smartborder.schema import KEY
from smartborder.service.accounts import Organisation
from smartborder.service.workspace import Contexts

MAX_BATCH = 256
LINGER_SECONDS = 0.02
ANSWER_SECONDS = 30


@dataclass(frozen=True)
class Rejected:
    """The consignment cannot be assessed: each problem with its field, code and message."""

    errors: list[dict]


def assess_records(contexts: Contexts, organisation: Organisation, records: list[dict], rfi_severity: float) -> list[dict | Rejected]:
    """Each record's assessment (a row of `assess`), or why it cannot be assessed, in order."""
    prepared = prepare_records(records, None, rfi_severity)
    problems = by_row(prepared.rejects)
    items = prepared.goods_items()
    results = {row[KEY]: row for row in assess(items, contexts.get(organisation)).iter_rows(named=True)} if items.height else {}
    # records are numbered from 1, and a consignment's key is its number
    return [Rejected(problems[n]) if n in problems else results[n] for n in range(1, len(records) + 1)]


@dataclass(frozen=True)
class _Job:
    organisation: Organisation
    record: dict
    loop: asyncio.AbstractEventLoop
    answer: asyncio.Future

    def settle(self, result: object) -> None:
        def settle() -> None:
            if not self.answer.done():  # the request may have given up waiting
                self.answer.set_exception(result) if isinstance(result, BaseException) else self.answer.set_result(result)

        self.loop.call_soon_threadsafe(settle)


class Checks:
    def __init__(self, contexts: Contexts, rfi_severity: float):
        self._contexts, self._rfi_severity = contexts, rfi_severity
        self._waiting: queue.Queue[_Job] = queue.Queue()
        threading.Thread(target=self._serve, name="smartborder-checks", daemon=True).start()

    async def check(self, organisation: Organisation, record: dict) -> dict | Rejected:
        """The assessment of one consignment (a row of `assess`), or why it cannot be assessed."""
        loop = asyncio.get_running_loop()
        job = _Job(organisation, record, loop, loop.create_future())
        self._waiting.put(job)
        return await asyncio.wait_for(job.answer, ANSWER_SECONDS)

    def _serve(self) -> None:
        while True:
            batch = [self._waiting.get()]
            time.sleep(LINGER_SECONDS)
            while len(batch) < MAX_BATCH and not self._waiting.empty():
                batch.append(self._waiting.get_nowait())
            for _, same in groupby(sorted(batch, key=lambda job: job.organisation.code), key=lambda job: job.organisation.code):
                jobs = list(same)
                try:
                    results = assess_records(self._contexts, jobs[0].organisation, [job.record for job in jobs], self._rfi_severity)
                except Exception as error:  # every waiting request learns of it; the thread goes on
                    results = [error] * len(jobs)
                for job, result in zip(jobs, results):
                    job.settle(result)
