"""A throwaway PostgreSQL server for tests.

    with throwaway_postgres() as url:   # "postgresql+psycopg://postgres@127.0.0.1:PORT/postgres"
        ...

The server lives in a fresh temporary directory, listens only on 127.0.0.1 on a
free port, trusts every local connection and runs with durability switched off
(fsync, synchronous_commit, full_page_writes): it is for tests only. It is
always stopped (``pg_ctl stop -m immediate``) and its directory removed, also
when the body raises.

PostgreSQL refuses to run as root, so when we are root the directory is handed
to the ``postgres`` system user and every server command runs as that user
(``runuser -u postgres --``).

Raises ``PostgresUnavailable`` when no usable installation is found (callers
usually skip), and ``PostgresStartError`` when one is found but fails to come
up (callers should let that fail loudly: it is a real problem).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PostgresBinaries",
    "PostgresStartError",
    "PostgresUnavailable",
    "ServerURL",
    "find_postgres",
    "throwaway_postgres",
]

SEARCH_GLOB = "/usr/lib/postgresql/*/bin"
REQUIRED = ("initdb", "pg_ctl", "postgres")
SERVER_USER = "postgres"
START_TIMEOUT_S = 60
PORT_ATTEMPTS = 3


class PostgresUnavailable(Exception):
    """No usable PostgreSQL here. ``reason`` says why, for a skip message."""

    def __init__(self, reason: str, *, binaries_missing: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.binaries_missing = binaries_missing


class PostgresStartError(RuntimeError):
    """PostgreSQL is installed but initdb or the server start failed."""


@dataclass(frozen=True)
class PostgresBinaries:
    bin_dir: Path
    version: str  # e.g. "15.18"

    def path(self, name: str) -> str:
        return str(self.bin_dir / name)


class ServerURL(str):
    """The SQLAlchemy URL of a running throwaway server (a plain ``str``),
    with a few facts about the server as attributes."""

    port: int
    base_dir: Path  # temporary directory holding data dir, log and sockets
    version: str
    bin_dir: Path

    def __new__(cls, url: str, *, port: int, base_dir: Path, version: str, bin_dir: Path) -> ServerURL:
        self = super().__new__(cls, url)
        self.port = port
        self.base_dir = base_dir
        self.version = version
        self.bin_dir = bin_dir
        return self


# --------------------------------------------------------------------------- discovery


def _has_all(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) and (directory / name).is_file() for name in REQUIRED)


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name)) or (0,)


def _candidate_dirs() -> Iterator[Path]:
    # 1. PATH: the directory the found pg_ctl really lives in (it may be a symlink
    #    into /usr/lib/postgresql/N/bin), then each PATH entry as it is.
    found = shutil.which("pg_ctl")
    if found:
        yield Path(os.path.realpath(found)).parent
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry:
            yield Path(entry)
    # 2. Debian/Ubuntu layout, highest version first.
    yield from sorted((p for p in Path("/").glob(SEARCH_GLOB.lstrip("/"))), key=_version_key, reverse=True)


def find_postgres() -> PostgresBinaries:
    """The directory holding initdb, pg_ctl and postgres, or PostgresUnavailable."""
    for directory in _candidate_dirs():
        if _has_all(directory):
            # Resolve symlinks so pg_ctl finds the matching postgres beside it.
            real = Path(os.path.realpath(directory / "pg_ctl")).parent
            bin_dir = real if _has_all(real) else directory
            return PostgresBinaries(bin_dir=bin_dir, version=_server_version(bin_dir))
    raise PostgresUnavailable(
        f"no initdb/pg_ctl/postgres on PATH or in {SEARCH_GLOB} "
        "(Debian: apt-get install postgresql)"
    )


def _server_version(bin_dir: Path) -> str:
    try:
        out = subprocess.run(
            [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise PostgresUnavailable(f"{bin_dir / 'postgres'} --version failed: {exc}") from exc
    match = re.search(r"(\d+(?:\.\d+)*)", out)
    return match.group(1) if match else out.strip()


# --------------------------------------------------------------------------- running as the server user


@dataclass(frozen=True)
class _RunAs:
    """How to run server commands: directly, or as the postgres user when root."""

    prefix: tuple[str, ...]
    uid: int | None
    gid: int | None

    @classmethod
    def detect(cls) -> _RunAs:
        if os.geteuid() != 0:
            return cls(prefix=(), uid=None, gid=None)
        try:
            user = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root and there is no {SERVER_USER!r} system user to run the server as "
                "(PostgreSQL refuses to run as root)",
                binaries_missing=False,
            ) from None
        runuser = shutil.which("runuser") or next(
            (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.access(p, os.X_OK)), None
        )
        if runuser is None:
            raise PostgresUnavailable(
                "running as root and `runuser` (util-linux) is missing, so the server "
                f"cannot be started as {SERVER_USER!r}",
                binaries_missing=False,
            )
        return cls(prefix=(runuser, "-u", SERVER_USER, "--"), uid=user.pw_uid, gid=user.pw_gid)

    def run(self, argv: list[str], *, cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}  # no stray PGPORT/PGDATA
        env["LC_ALL"] = "C"
        return subprocess.run(
            [*self.prefix, *argv],
            cwd=cwd,  # the server user must be able to enter its working directory
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def take(self, path: Path) -> None:
        if self.uid is not None:
            os.chown(path, self.uid, self.gid if self.gid is not None else -1)


def _world_traversable(path: Path) -> bool:
    """Can another user reach files below ``path``? (every ancestor o+x)"""
    path = path.resolve()
    for p in (path, *path.parents):
        if not os.stat(p).st_mode & stat.S_IXOTH:
            return False
    return True


def _make_base_dir(run_as: _RunAs) -> Path:
    parent = Path(tempfile.gettempdir())
    if run_as.uid is not None and not _world_traversable(parent):
        parent = Path("/tmp")  # TMPDIR under /root, say: the postgres user could not reach it
    base = Path(tempfile.mkdtemp(prefix="smartborder-pg-", dir=parent))
    run_as.take(base)
    return base


# --------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no server log at {path}: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


def _describe(proc: subprocess.CompletedProcess[str]) -> str:
    out = "\n".join(part.strip() for part in (proc.stdout, proc.stderr) if part and part.strip())
    return f"exit code {proc.returncode}" + (f"\n{out}" if out else "")


def _conf_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _initdb(bins: PostgresBinaries, run_as: _RunAs, base: Path, data: Path) -> None:
    argv = [
        bins.path("initdb"),
        "--pgdata", str(data),
        "--username", "postgres",
        "--auth", "trust",
        "--encoding", "UTF8",
        "--locale", "C",
        "--no-sync",
    ]  # fmt: skip
    proc = run_as.run(argv, cwd=base, timeout=120)
    if proc.returncode != 0:
        raise PostgresStartError(f"initdb failed ({' '.join(argv)}): {_describe(proc)}")
    with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write(
            "\n# throwaway test server (tests/postgres_server.py)\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = {_conf_str(str(base))}\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "max_connections = 100\n"
        )


def _start(bins: PostgresBinaries, run_as: _RunAs, base: Path, data: Path, log: Path) -> int:
    """Start the server on a free port; returns the port. Retries when the port was taken meanwhile."""
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = _free_port()
        argv = [
            bins.path("pg_ctl"), "start",
            "--pgdata", str(data),
            "--log", str(log),
            "--options", f"-p {port}",
            "--wait", "--timeout", str(START_TIMEOUT_S),
            "--silent",
        ]  # fmt: skip
        subreaper = _set_child_subreaper(True)
        try:
            proc = run_as.run(argv, cwd=base, timeout=START_TIMEOUT_S + 30)
        finally:
            if subreaper:
                _set_child_subreaper(False)
        if proc.returncode == 0:
            return port
        log_tail = _tail(log)
        _stop(bins, run_as, base, data)  # in case it half-started
        if attempt < PORT_ATTEMPTS and "could not bind" in log_tail:
            continue
        raise PostgresStartError(
            f"PostgreSQL server failed to start on 127.0.0.1:{port} ({' '.join(argv)}): "
            f"{_describe(proc)}\n--- server log, last lines ---\n{log_tail}"
        )
    raise AssertionError("unreachable")


def _wait_ready(bins: PostgresBinaries, run_as: _RunAs, base: Path, port: int, log: Path) -> None:
    pg_isready = bins.path("pg_isready") if (bins.bin_dir / "pg_isready").exists() else shutil.which("pg_isready")
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if pg_isready:
            argv = [pg_isready, "--quiet", "--host", "127.0.0.1", "--port", str(port), "--username", "postgres"]
            if run_as.run(argv, cwd=base, timeout=10).returncode == 0:
                return
        elif _port_open(port):
            return
        time.sleep(0.1)
    raise PostgresStartError(
        f"PostgreSQL started but is not accepting connections on 127.0.0.1:{port} "
        f"after {START_TIMEOUT_S}s\n--- server log, last lines ---\n{_tail(log)}"
    )


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _running(pid: int) -> bool:
    """Does ``pid`` exist and is not a zombie?"""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0] != "Z"
    except (OSError, IndexError):
        pass  # no /proc (or it just exited): ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _set_child_subreaper(on: bool) -> bool:
    """Linux: adopt orphaned descendants (prctl PR_SET_CHILD_SUBREAPER); best effort.

    pg_ctl starts the postmaster and exits, orphaning it. Normally init adopts
    it and reaps it whenever it gets round to it, which can leave a
    ``[postgres] <defunct>`` behind for a while after the stop. Being the
    subreaper while pg_ctl runs makes the postmaster our child, so _stop can
    reap it at once."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1 if on else 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap(pid: int, timeout: float) -> None:
    """Wait until ``pid`` has exited; reap it if it is our child."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:  # not ours: init reaps it
            if not _running(pid):
                return
        time.sleep(0.02)


def _stop(bins: PostgresBinaries, run_as: _RunAs, base: Path, data: Path) -> None:
    """Stop the server if one runs in ``data``; never raises."""
    pid = _postmaster_pid(data)
    if pid is None:
        return
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        run_as.run(
            [bins.path("pg_ctl"), "stop", "--pgdata", str(data), "--mode", "immediate", "--wait", "--timeout", "30"],
            cwd=base,
            timeout=60,
        )
    _reap(pid, timeout=10)
    if _running(pid):  # pg_ctl could not stop it: kill the postmaster ourselves
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        _reap(pid, timeout=10)


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Run a fresh PostgreSQL server for the duration of the block; yields its URL.

    The URL is a ``ServerURL`` (a ``str``) that also carries ``.port``,
    ``.base_dir``, ``.version`` and ``.bin_dir``.
    """
    bins = find_postgres()
    run_as = _RunAs.detect()
    base = _make_base_dir(run_as)
    data = base / "data"
    log = base / "server.log"
    try:
        _initdb(bins, run_as, base, data)
        port = _start(bins, run_as, base, data, log)
        _wait_ready(bins, run_as, base, port, log)
        yield ServerURL(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
            port=port,
            base_dir=base,
            version=bins.version,
            bin_dir=bins.bin_dir,
        )
    finally:
        _stop(bins, run_as, base, data)
        shutil.rmtree(base, ignore_errors=True)
