"""Peak memory of this process and of its child processes (the intake writer), sampled from
/proc: VmHWM is each address space's high-water mark, which starts afresh when a child execs."""

import threading
from pathlib import Path


def _peak_kib(pid: int | str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children() -> set[int]:
    found = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            found |= {int(pid) for pid in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


class PeakMemory:
    """Samples while running: `main_mb` for this process, `children_mb` for the largest child."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.main_kib = self.children_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.main_kib = max(self.main_kib, _peak_kib("self"))
            self.children_kib = max([self.children_kib, *(_peak_kib(pid) for pid in _children())])
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.main_kib = max(self.main_kib, _peak_kib("self"))

    @property
    def main_mb(self) -> float:
        return self.main_kib / 1024

    @property
    def children_mb(self) -> float:
        return self.children_kib / 1024
