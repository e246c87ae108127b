"""A throwaway PostgreSQL cluster for tests and the bench (never for production).

It runs Debian's own binaries (/usr/lib/postgresql/N/bin) into a temporary
folder, listening only on a unix socket in that folder (no TCP port at all).
As root, the server runs as the ``postgres`` user (PostgreSQL refuses root).
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional
from urllib.parse import quote

# Stops the cluster when its owner is gone, however it ended (even SIGKILL or a
# test-run timeout): reading stdin returns only when the owner's end of the pipe closes.
_WATCHDOG = """import shutil, subprocess, sys
sys.stdin.read()
subprocess.run(sys.argv[2:], capture_output=True, timeout=120)
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


def find_bin(name: str) -> Optional[str]:
    """The newest installed PostgreSQL's ``name`` program, or None."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return found[-1] if found else shutil.which(name)


def available() -> bool:
    return bool(find_bin("initdb") and find_bin("pg_ctl"))


def start_watchdog(folder: Path, stop: list[str]) -> subprocess.Popen:
    """A process that runs ``stop`` and removes ``folder`` once our end of its stdin closes:
    when we close it, or when this process ends in any way."""
    return subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(folder), *stop], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


class TempCluster:
    """``with TempCluster() as pg: pg.url`` -> postgresql://postgres@/postgres?host=SOCKET_DIR"""

    def __init__(self, durable: bool = False) -> None:
        self.durable = durable  # False: fsync off, for fast tests; True: as a real server (bench)
        self.folder = Path(tempfile.mkdtemp(prefix="ptsp-pg-"))
        self.data = self.folder / "data"
        self.url = f"postgresql://postgres@/postgres?host={quote(str(self.folder))}"
        self._as_postgres = os.geteuid() == 0
        self._started = False
        self._watchdog: Optional[subprocess.Popen] = None

    def _command(self, *argv: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if self._as_postgres else list(argv)

    def _run(self, *argv: str) -> None:
        done = subprocess.run(self._command(*argv), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed: {(done.stderr or done.stdout).strip()[-800:]}")

    def start(self) -> "TempCluster":
        initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-instructions", "--no-sync")
        options = f"-k {self.folder} -c listen_addresses='' -c max_connections=300"
        if not self.durable:
            options += " -F -c synchronous_commit=off -c full_page_writes=off"
        self._watchdog = start_watchdog(self.folder, self._command(pg_ctl, "-D", str(self.data), "-m",
                                                                   "immediate", "-w", "stop"))
        self._run(pg_ctl, "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options, "-w",
                  "-t", "60", "start")
        self._started = True
        return self

    def stop(self) -> None:
        if self._started:
            try:
                self._run(find_bin("pg_ctl") or "pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
            self._started = False
        if self._watchdog is not None:
            assert self._watchdog.stdin is not None
            self._watchdog.stdin.close()  # it stops nothing more now, and removes the folder
            try:
                self._watchdog.wait(60)
            except subprocess.TimeoutExpired:
                self._watchdog.kill()
            self._watchdog = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "TempCluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def with_schema(url: str, schema: str) -> str:
    """``url`` whose connections use ``schema`` (created if missing) as their search path."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
