"""API load: POST /v1/assess at a fixed rate for a fixed time against a running server on
127.0.0.1, from this process (the server is a second process). Prints the throughput achieved and
latency percentiles.

    python benchmarks/api_load.py [--rate 300] [--seconds 30] [--workers 1] [--connections 32]

It makes its own demo store first (`smartborder demo --n 20000` in a temporary directory), starts
`smartborder serve` on a free port, signs in as the demo officer and sends the demo's consignments,
one per request, in turn. The load is open-loop: request i is due at start + i / rate, whether or
not earlier ones have been answered, and its latency counts from when it was due, so a server that
falls behind shows it in the percentiles. Requests that find all connections busy wait for one.
The client is a few lines of HTTP/1.1 on keep-alive connections, to leave the CPU to the server.
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import polars as pl

REPOSITORY = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bodies(sample: Path, n: int) -> list[bytes]:
    """The first `n` sample consignments as /v1/assess bodies."""
    frame = pl.read_parquet(sample).head(n)
    return [json.dumps({k: v for k, v in row.items() if v is not None}, default=str).encode() for row in _clean(frame).to_dicts()]


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates as text, transit countries as a list, null item fields dropped by the JSON encoding."""
    frame = frame.with_columns(pl.col(pl.Date).cast(pl.String))
    if frame["transit_countries"].dtype == pl.String:
        frame = frame.with_columns(pl.col("transit_countries").str.split(" "))
    items = frame["items"].to_list()
    return frame.drop("items").with_columns(pl.Series("items", [[{k: v for k, v in i.items() if v is not None} for i in row] for row in items]))


async def _send(reader, writer, request: bytes) -> int:
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status_line.split()[1])


async def load(port: int, token: str, payloads: list[bytes], rate: float, seconds: float, connections: int) -> tuple[list[float], list[int], float]:
    requests = [
        b"POST /v1/assess HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {token}\r\nContent-Length: {len(p)}\r\n\r\n".encode() + p
        for p in payloads
    ]
    total = int(rate * seconds)
    due: asyncio.Queue = asyncio.Queue()
    latencies: list[float] = []
    statuses: list[int] = []

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (job := await due.get()) is not None:
            number, due_at = job
            statuses.append(await _send(reader, writer, requests[number % len(requests)]))
            latencies.append(time.perf_counter() - due_at)
        writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    started = time.perf_counter()
    for number in range(total):
        due_at = started + number / rate
        await asyncio.sleep(max(0.0, due_at - time.perf_counter()))
        due.put_nowait((number, due_at))
    for _ in workers:
        due.put_nowait(None)
    await asyncio.gather(*workers)
    return latencies, statuses, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=300, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--consignments", type=int, default=2000, help="distinct consignments sent in turn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"SMARTBORDER_DATA_DIR": tmp}
        env.pop("SMARTBORDER_DATABASE_URL", None)
        subprocess.run([sys.executable, "-m", "smartborder", "demo", "--n", "20000", "--examples", str(REPOSITORY / "examples")],
                       check=True, stdout=subprocess.DEVNULL, env=env)  # fmt: skip
        payloads = bodies(Path(tmp) / "sample" / "consignments.parquet", args.consignments)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "smartborder", "serve", "--port", str(port), "--workers", str(args.workers)],
                                  env=env, stdout=subprocess.DEVNULL)  # fmt: skip
        try:
            token = _sign_in(port)
            warm = asyncio.run(load(port, token, payloads[:50], 20, 2.5, 4))  # load the context, warm the caches
            assert set(warm[1]) == {200}, f"warm-up answers: {sorted(set(warm[1]))}"
            latencies, statuses, elapsed = asyncio.run(load(port, token, payloads, args.rate, args.seconds, args.connections))
        finally:
            server.terminate()
            server.wait()
    ms = np.array(latencies) * 1000
    ok = sum(s == 200 for s in statuses)
    print(f"POST /v1/assess, {args.workers} server process(es), {args.connections} connections, {len(payloads):,} distinct consignments")
    print(f"offered {args.rate:.0f} requests/s for {args.seconds:.0f} s: {len(statuses):,} answered ({ok:,} with 200) in {elapsed:.1f} s, "
          f"throughput {len(statuses) / elapsed:.0f} requests/s")  # fmt: skip
    print(f"latency from when each request was due: p50 {np.percentile(ms, 50):.1f} ms, p90 {np.percentile(ms, 90):.1f} ms, "
          f"p99 {np.percentile(ms, 99):.1f} ms, max {ms.max():.1f} ms")  # fmt: skip


def _sign_in(port: int) -> str:
    """The demo officer's token, once the server answers."""
    body = json.dumps({"username": "officer.de", "password": "smartborder-demo"}).encode()
    for _ in range(100):
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/auth/token", body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request) as response:
                return json.load(response)["token"]
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    main()
