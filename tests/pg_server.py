"""A throwaway PostgreSQL server for the tests: Debian's postgresql (``make test`` installs it), a cluster made in
a temporary folder, on a free port of 127.0.0.1, stopped at the end. As root (CI) the server runs as the
``postgres`` user the package makes, since PostgreSQL refuses to run as root."""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


def bin_dir() -> Path | None:
    """Debian's newest PostgreSQL programs (/usr/lib/postgresql/NN/bin), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """``start()`` makes the cluster and starts it; ``url(db)`` a database URL; ``stop()`` ends it."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.proc = Path(folder), _free_port(), None
        self.bin = bin_dir()
        assert self.bin is not None, "PostgreSQL is missing: `make test` installs Debian's postgresql"
        self.as_root = os.geteuid() == 0

    def _cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", "postgres", "--"] if self.as_root else []) + list(args)

    def start(self) -> "PostgresServer":
        data, sock = self.folder / "data", self.folder / "sock"
        self.folder.mkdir(parents=True, exist_ok=True)
        sock.mkdir(exist_ok=True)
        if self.as_root:                                           # the folder's parents must let postgres in:
            shutil.chown(self.folder, "postgres")                  # see tests/conftest.py's postgres fixture
            shutil.chown(sock, "postgres")
            self.folder.chmod(0o700)
        r = subprocess.run(self._cmd(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                     "-E", "UTF8", "--no-locale"), capture_output=True, text=True, timeout=120)
        if r.returncode != 0:                                      # say why, not only that it failed
            raise RuntimeError(f"initdb failed ({r.returncode}): {(r.stderr or r.stdout)[-2000:]}")
        self.log = open(self.folder / "server.log", "w")
        self.proc = subprocess.Popen(
            self._cmd(str(self.bin / "postgres"), "-D", str(data), "-p", str(self.port), "-k", str(sock),
                      "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=50"),
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        end = time.time() + 60
        while time.time() < end:
            r = subprocess.run([str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                               capture_output=True)
            if r.returncode == 0:
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("PostgreSQL did not start: " + (self.folder / "server.log").read_text()[-2000:])

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str) -> str:
        """A fresh database ``name`` (dropped first if it exists); returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)                 # a fast shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        if getattr(self, "log", None):
            self.log.close()
