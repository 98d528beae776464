"""Running it elsewhere: two app processes behind nginx (deploy/nginx.conf) with sticky sessions, and the
container image (where a container engine runs)."""
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from test_browser import CHROMIUM, FLAGS, _free_port, _start_server, _stop_server, figure, wait_idle

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.browser


def _proxy_config(tmp: Path, listen: int, backends: list[int]) -> Path:
    """deploy/nginx.conf on a free port, in front of ``backends``, with its files under ``tmp``."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = re.sub(r"listen \d+;", f"listen 127.0.0.1:{listen};", conf)
    servers = "".join(f"        server 127.0.0.1:{p};\n" for p in backends)
    conf = re.sub(r"(        server 127\.0\.0\.1:\d+;\n)+", servers, conf)
    temp = "".join(f"    {d}_temp_path {tmp / d};\n" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = conf.replace("http {\n", "http {\n" + temp, 1)
    conf = conf.replace("worker_processes auto;", f"worker_processes 1;\npid {tmp / 'nginx.pid'};\n"
                        f"error_log {tmp / 'error.log'};")
    path = tmp / "nginx.conf"
    path.write_text(conf)
    return path


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    assert Path(NGINX).exists(), "nginx is missing: `make test` installs Debian's nginx-light"
    tmp = tmp_path_factory.mktemp("nginx")
    servers = [_start_server(), _start_server()]
    listen = _free_port()
    conf = _proxy_config(tmp, listen, [int(url.rsplit(":", 1)[1]) for url, _, _ in servers])
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{listen}"
    try:
        for _ in range(100):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("nginx did not answer: " + (tmp / "error.log").read_text())
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        for s in servers:
            _stop_server(*s[1:])


def test_two_sessions_through_the_proxy_each_stay_with_their_process(proxy):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        sessions = {}                                     # backend -> (context, page)
        for _ in range(12):                               # new browsers until both processes have one
            ctx = browser.new_context(viewport={"width": 1400, "height": 2000})
            page = ctx.new_page()
            backend = page.goto(proxy + "/step_through").headers["x-rnnp-backend"]
            if backend in sessions:
                ctx.close()
                continue
            sessions[backend] = (ctx, page)
            if len(sessions) == 2:
                break
        assert len(sessions) == 2, f"all browsers went to {list(sessions)}"
        for backend, (ctx, page) in sessions.items():
            figure(page, "Next-token probabilities")
            wait_idle(page)
            page.get_by_role("button", name="Next step").click()           # the WebSocket reaches its process
            expect(page.get_by_role("slider")).to_have_attribute("aria-valuetext", "2", timeout=20_000)
            again = ctx.request.get(proxy + "/_stcore/health")             # the cookie keeps it there
            assert again.headers["x-rnnp-backend"] == backend
            expect(page.get_by_test_id("stException")).to_have_count(0)
        for ctx, _ in sessions.values():
            ctx.close()
        browser.close()


def _engine() -> str | None:
    for tool in ("docker", "podman"):
        if shutil.which(tool) and subprocess.run([tool, "info"], capture_output=True, timeout=30).returncode == 0:
            return tool
    return None


def test_the_container_image_builds_and_reports_healthy():
    tool = _engine()
    if tool is None:
        pytest.skip("no container engine runs on this machine (docker/podman missing or its daemon is not "
                    "running); the Dockerfile is built where one does")
    base = re.search(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    pulled = subprocess.run([tool, "pull", base], capture_output=True, text=True, timeout=600)
    if pulled.returncode != 0 and subprocess.run([tool, "image", "inspect", base], capture_output=True).returncode:
        pytest.skip(f"the base image {base} cannot be pulled here (no registry access): {pulled.stderr[-200:]}")
    tag = "rnn-playground-test"
    subprocess.run([tool, "build", "-t", tag, str(ROOT)], check=True, timeout=1200)
    port = _free_port()
    cid = subprocess.run([tool, "run", "-d", "-p", f"127.0.0.1:{port}:8501", tag], capture_output=True, text=True,
                         check=True).stdout.strip()
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("the container's app never answered its health check")
        user = subprocess.run([tool, "exec", cid, "id", "-u"], capture_output=True, text=True).stdout.strip()
        assert user != "0"                                                  # not root
    finally:
        subprocess.run([tool, "rm", "-f", cid], capture_output=True)
