"""``rnn-playground``: start the app from wherever the package is, with its own settings.

It runs ``python -m streamlit run <the package's app.py>``, Streamlit's documented way to run a file;
Streamlit reads the settings in ``.streamlit/config.toml`` beside that ``app.py`` (the upload limit, the
theme). ``--production`` adds the production profile (``.streamlit/production.toml`` beside it: no error
details in the browser, no file watcher, ...) as command-line options, which take precedence over any
config file. Any other ``--section.option=value`` goes to Streamlit as given.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from rnn_core import __version__
from rnn_core._alloc import ENVIRONMENT

from .paths import app_dir

PRODUCTION = "production.toml"


def profile_options(path: Path) -> list[str]:
    """A Streamlit config file as command-line options: ``[server] headless = true`` -> ``--server.headless=true``."""
    def flat(prefix: str, table: dict):
        for key, value in table.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                yield from flat(name, value)
            elif isinstance(value, bool):
                yield f"--{name}={'true' if value else 'false'}"
            elif isinstance(value, (str, int, float)):
                yield f"--{name}={value}"
            else:
                raise ValueError(f"{path}: {name} must be a string, a number or true/false")

    return list(flat("", tomllib.loads(path.read_text(encoding="utf-8"))))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rnn-playground",
        description="Start the RNN Playground app (Streamlit) from the installed package, then open "
                    "http://localhost:PORT. Any other option of the form --section.option=value is passed to "
                    "Streamlit (see `streamlit run --help`), e.g. --server.maxUploadSize=20.",
        epilog="A classroom server runs one process per core behind the sticky proxy (deploy/): "
               "rnn-playground --production --port 8501 --address 127.0.0.1")
    p.add_argument("--version", action="version", version=f"rnn-playground {__version__}")
    p.add_argument("--port", type=int, default=8501, help="the port to serve on (default: 8501)")
    p.add_argument("--address", default=None,
                   help="the address to listen on (default: Streamlit's, every interface; behind a proxy: 127.0.0.1)")
    p.add_argument("--production", action="store_true",
                   help="the production profile: no error details or tracebacks in the browser, no file watcher, "
                        "no browser opened, sessions kept 10 minutes after a disconnect")
    p.add_argument("--embedded", action="store_true",
                   help="served over HTTPS inside another site's page (an LMS iframe): Streamlit's XSRF cookie gets "
                        "SameSite=None; Secure, so uploads work there")
    p.add_argument("--print-command", action="store_true", help="print the Streamlit command line and exit")
    p.add_argument("--check-health", action="store_true",
                   help="ask the app running on --port (on this machine) whether it is healthy: exit status 0 if it "
                        "answers ok within 4 seconds, else 1 (for health checks: Docker, systemd)")
    return p


def check_health(port: int, timeout: float = 4.0) -> int:
    """0 if the app on ``port`` answers Streamlit's /_stcore/health with ok, else 1 (and why, on stderr)."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=timeout) as r:
            body = r.read()
    except OSError as e:
        print(f"rnn-playground: port {port} is not healthy: {e}", file=sys.stderr)
        return 1
    if body != b"ok":
        print(f"rnn-playground: port {port} answered {body[:80]!r}, not ok", file=sys.stderr)
        return 1
    print("ok")
    return 0


def command(argv: list[str] | None = None) -> list[str]:
    """The Streamlit command line ``rnn-playground`` runs for ``argv``."""
    parser = build_parser()
    a, rest = parser.parse_known_args(argv)
    for extra in rest:
        if not (extra.startswith("--") and "." in extra.split("=", 1)[0]):
            parser.error(f"unrecognized argument {extra!r} (Streamlit options look like --server.port=8502)")
    if not 1 <= a.port <= 65535:
        parser.error(f"--port {a.port} is outside 1..65535")
    app = app_dir()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app / "app.py"), f"--server.port={a.port}"]
    if a.address:
        cmd.append(f"--server.address={a.address}")
    if a.production:
        cmd += profile_options(app / ".streamlit" / PRODUCTION)
    if a.embedded:
        cmd.append("--server.xsrfCookieSameSite=none")
    return cmd + rest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cmd = command(args)
    if "--check-health" in args:
        return check_health(build_parser().parse_known_args(args)[0].port)
    if "--print-command" in args:
        print(" ".join(cmd))
        return 0
    env = {**ENVIRONMENT, **os.environ}       # glibc's allocator setting from the start (rnn_core/_alloc.py)
    if os.name == "posix":                    # become Streamlit: signals (Ctrl-C, systemd's stop) reach it directly
        os.execve(sys.executable, cmd, env)
    return subprocess.call(cmd, env=env)
