"""Running it elsewhere: app processes behind nginx (deploy/nginx.conf) with sticky sessions, the production
profile behind it (no traceback in the browser, no internal address in a header, the cookies an LMS iframe
needs over HTTPS), the compose file and the systemd units, and the container image (where an engine runs)."""
import http.client
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from test_browser import CHROMIUM, FLAGS, _free_port, _start_server, _stop_server, figure, wait_idle

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEBUG_HEADER = "        add_header X-Rnnp-Backend $upstream_addr always;   # the test's own: which process answered\n"

pytestmark = pytest.mark.browser


def _proxy_config(tmp: Path, listen: int, backends: list[int], debug: bool = False, tls: int | None = None) -> Path:
    """deploy/nginx.conf on a free port, in front of ``backends``, with its files under ``tmp``; ``debug`` adds a
    header naming the process that answered (the shipped file has none), ``tls`` turns on its HTTPS lines on
    that port with a self-signed certificate."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = re.sub(r"listen \d+;", f"listen 127.0.0.1:{listen};", conf)
    if debug:
        conf = conf.replace("            add_header Set-Cookie", DEBUG_HEADER.replace("        ", "            ", 1)
                            + "            add_header Set-Cookie", 1)
    if tls:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                       check=True, capture_output=True, timeout=60)
        conf, n = re.subn(r"# listen \d+ ssl;", f"listen 127.0.0.1:{tls} ssl;", conf)
        conf = re.sub(r"# ssl_certificate (\s*)\S+;", f"ssl_certificate {tmp / 'cert.pem'};", conf)
        conf = re.sub(r"# ssl_certificate_key (\s*)\S+;", f"ssl_certificate_key {tmp / 'key.pem'};", conf)
        assert n == 1 and "ssl_certificate_key " + str(tmp) in conf
    servers = "".join(f"        server 127.0.0.1:{p};\n" for p in backends)
    conf = re.sub(r"(        server 127\.0\.0\.1:\d+;\n)+", servers, conf)
    temp = "".join(f"    {d}_temp_path {tmp / d};\n" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = conf.replace("http {\n", "http {\n" + temp, 1)
    conf = conf.replace("worker_processes auto;", f"worker_processes 1;\npid {tmp / 'nginx.pid'};\n"
                        f"error_log {tmp / 'error.log'};")
    path = tmp / "nginx.conf"
    path.write_text(conf)
    return path


def _start_nginx(tmp: Path, conf: Path, url: str):
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGTERM)
    raise RuntimeError("nginx did not answer: " + (tmp / "error.log").read_text())


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    assert Path(NGINX).exists(), "nginx is missing: `make test` installs Debian's nginx-light"
    tmp = tmp_path_factory.mktemp("nginx")
    servers = [_start_server(), _start_server()]
    listen = _free_port()
    conf = _proxy_config(tmp, listen, [int(url.rsplit(":", 1)[1]) for url, _, _ in servers], debug=True)
    url, proc = f"http://127.0.0.1:{listen}", None
    try:
        proc = _start_nginx(tmp, conf, url)
        yield url
    finally:
        if proc is not None:
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
            figure(page, "Next-token probabilities", timeout=60_000)    # a cold server through the proxy
            wait_idle(page)
            page.get_by_role("button", name="Next step").click()           # the WebSocket reaches its process
            expect(page.get_by_role("slider")).to_have_attribute("aria-valuetext", "2", timeout=20_000)
            again = ctx.request.get(proxy + "/_stcore/health")             # the cookie keeps it there
            assert again.headers["x-rnnp-backend"] == backend
            expect(page.get_by_test_id("stException")).to_have_count(0)
        for ctx, _ in sessions.values():
            ctx.close()
        browser.close()


# ----- the production profile behind the shipped proxy ------------------------------------------------------
SECRET = "injected-failure-7f3a in /srv/private/notes.txt"
# loaded at the app process's start (PYTHONPATH): a sentence with "kaboom" in it raises where Home reads it
INJECT = f"""
import rnn_core.vocab

_unknown = rnn_core.vocab.Vocab.unknown_tokens


def _fail(self, text):
    if "kaboom" in text:
        raise RuntimeError({SECRET!r})
    return _unknown(self, text)


rnn_core.vocab.Vocab.unknown_tokens = _fail
"""


def _production_app(tmp: Path):
    """An app process started as the deployment starts it (rnn-playground --production --embedded), with the
    failure above injected: (port, process, log path)."""
    port = _free_port()
    inject = tmp / "inject"
    inject.mkdir(exist_ok=True)
    (inject / "sitecustomize.py").write_text(INJECT)
    log_path = tmp / f"app-{port}.log"
    log = open(log_path, "w")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(inject), str(ROOT)])}
    proc = subprocess.Popen([sys.executable, "-m", "rnn_playground", "--production", "--embedded", "--port", str(port),
                             "--address", "127.0.0.1"], cwd=ROOT, env=env, start_new_session=True, stdout=log,
                            stderr=subprocess.STDOUT)
    log.close()
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                return port, proc, log_path
        except OSError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGTERM)
    raise RuntimeError("the production app did not become healthy:\n" + log_path.read_text()[-3000:])


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """Two production app processes behind deploy/nginx.conf as shipped, on HTTP and (its HTTPS lines on) HTTPS."""
    assert Path(NGINX).exists(), "nginx is missing: `make test` installs Debian's nginx-light"
    tmp = tmp_path_factory.mktemp("production")
    apps, proc = [], None
    try:
        apps = [_production_app(tmp), _production_app(tmp)]
        listen, tls = _free_port(), _free_port()
        conf = _proxy_config(tmp, listen, [port for port, _, _ in apps], tls=tls)
        url = f"http://127.0.0.1:{listen}"
        proc = _start_nginx(tmp, conf, url)
        yield {"http": url, "https": f"https://127.0.0.1:{tls}", "apps": apps}
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        for _, app, _ in apps:
            os.killpg(app.pid, signal.SIGTERM)
            app.wait(timeout=20)


def _headers(url: str) -> list[tuple[str, str]]:
    """Every response header of GET ``url`` (several Set-Cookie lines kept apart)."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    conn = (http.client.HTTPSConnection(host, context=ssl._create_unverified_context(), timeout=20)
            if scheme == "https" else http.client.HTTPConnection(host, timeout=20))
    conn.request("GET", "/" + path)
    r = conn.getresponse()
    r.read()
    conn.close()
    assert r.status < 400 or path == "_stcore/metrics", (url, r.status)
    return [(k.lower(), v) for k, v in r.getheaders()] + [("status", str(r.status))]


def test_production_responses_name_no_internal_address_and_no_versions(production):
    ports = [str(port) for port, _, _ in production["apps"]]
    index = urllib.request.urlopen(production["http"] + "/", timeout=20).read().decode()
    script = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', index)
    paths = ["", "step_through", "_stcore/health", "_stcore/host-config"] + ([script[1]] if script else [])
    assert script, "no script in the app's index page"
    for base in (production["http"], production["https"]):
        for path in paths:
            for name, value in _headers(f"{base}/{path}"):
                assert "127.0.0.1" not in value and not any(p in value for p in ports), (path, name, value)
                assert name != "x-rnnp-backend" and not name.startswith("x-upstream"), (path, name)
                if name == "server":
                    assert value == "nginx", value                    # no version, not the app server's
    # the per-process metrics stay inside the server: read on each process's own port
    assert ("status", "404") in _headers(production["http"] + "/_stcore/metrics")
    direct = urllib.request.urlopen(f"http://127.0.0.1:{ports[0]}/_stcore/metrics", timeout=20).read().decode()
    assert "active_sessions" in direct and "session_events_total" in direct


def _cookies(headers) -> dict[str, str]:
    return {v.split("=", 1)[0]: v for k, v in headers if k == "set-cookie"}


def test_the_cookies_are_lax_over_http_and_fit_an_lms_iframe_over_https(production):
    plain = _cookies(_headers(production["http"] + "/_stcore/health"))
    assert "HttpOnly" in plain["rnnp_backend"] and "SameSite=Lax" in plain["rnnp_backend"]
    assert "Secure" not in plain["rnnp_backend"]                     # a browser would drop it over HTTP
    secure = _cookies(_headers(production["https"] + "/_stcore/health"))
    for name in ("rnnp_backend", "_streamlit_xsrf"):                  # the sticky key, and uploads' XSRF token
        attrs = [a.strip() for a in secure[name].split(";")]
        assert {"Secure", "SameSite=None", "Partitioned"} <= set(attrs), secure[name]
        assert "Path=/" in attrs


def test_an_unforeseen_error_shows_no_traceback_in_the_browser(production):
    """The failure's text, type and traceback stay in the server's log; the page says only that something failed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        page.goto(production["http"] + "/")
        figure(page, "Next-token probabilities", timeout=60_000)            # the page works without the failure
        wait_idle(page)
        box = page.get_by_role("textbox", name="Sentence", exact=True)
        box.fill("my favourite kaboom is")
        box.press("Enter")
        error = page.get_by_test_id("stException")
        expect(error).to_be_visible(timeout=30_000)
        wait_idle(page)
        shown = page.content() + page.inner_text("body")
        for leak in (SECRET, "injected-failure", "RuntimeError", "Traceback", "sitecustomize", "/srv/private",
                     'File "', str(ROOT)):
            assert leak not in shown, leak
        browser.close()
    logs = "".join(path.read_text() for _, _, path in production["apps"])
    assert SECRET in logs and "Traceback" in logs                    # the server kept the whole story


def test_the_launchers_production_profile_is_the_toml(tmp_path):
    from rnn_playground.launch import command, profile_options

    options = profile_options(ROOT / ".streamlit" / "production.toml")
    assert "--client.showErrorDetails=none" in options and "--server.fileWatcherType=none" in options
    assert "--server.headless=true" in options and "--server.disconnectedSessionTTL=600" in options
    cmd = command(["--production", "--port", "8600", "--address", "127.0.0.1", "--server.maxUploadSize=20"])
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"] and cmd[4].endswith("app.py")
    assert cmd[5:] == ["--server.port=8600", "--server.address=127.0.0.1", *options, "--server.maxUploadSize=20"]
    assert "--server.xsrfCookieSameSite=none" in command(["--embedded"])
    assert not any("showErrorDetails" in c for c in command([]))      # the default profile is config.toml's


def test_the_menu_points_to_the_project_and_to_the_schools_pages(monkeypatch):
    from ui.common import about

    monkeypatch.delenv(about.HELP_URL, raising=False)
    monkeypatch.setenv(about.ISSUES_URL, "javascript:alert(1)")        # not a web or mail address: left out
    items = about.menu_items()
    assert items["Get help"] is None and items["Report a bug"] is None and "RNN Playground" in items["About"]
    monkeypatch.setenv(about.HELP_URL, "https://school.example/rnn")
    monkeypatch.setenv(about.ISSUES_URL, "mailto:it@school.example")
    assert about.menu_items()["Get help"] == "https://school.example/rnn"
    assert about.menu_items()["Report a bug"] == "mailto:it@school.example"


# ----- compose, systemd, the image ---------------------------------------------------------------------------
def test_the_compose_file_runs_replicas_with_restarts_and_health_checks_behind_the_proxy():
    import yaml

    spec = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = spec["services"]
    apps = {name: s for name, s in services.items() if name.startswith("app")}
    assert len(apps) >= 2
    conf = (ROOT / "deploy" / "nginx.compose.conf").read_text()
    for name, s in apps.items():
        assert s["restart"] in ("unless-stopped", "always", "on-failure")
        assert "--check-health" in s["healthcheck"]["test"] and s["healthcheck"]["retries"] >= 1
        assert "--production" in s["command"] and s["build"]["context"] == ".."
        assert "STREAMLIT_SERVER_COOKIE_SECRET" in s["environment"]
        assert f"server {name}:8501 resolve;" in conf                    # every replica is behind the proxy
        assert services["proxy"]["depends_on"][name]["condition"] == "service_healthy"
    assert conf.count("server app") == len(apps)
    proxy = services["proxy"]
    assert proxy["restart"] == "unless-stopped" and "healthcheck" in proxy
    assert "./nginx.compose.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert (ROOT / "deploy" / "example.env").read_text().count("STREAMLIT_SERVER_COOKIE_SECRET=") == 1


def test_the_compose_proxy_is_the_tested_proxy_but_for_its_upstreams():
    def body(path):
        text = (ROOT / "deploy" / path).read_text()
        text = text[text.index("worker_processes"):]
        return re.sub(r"(    resolver [^\n]*\n)?    upstream streamlit \{.*?\n    \}\n", "UPSTREAM", text, flags=re.S)

    assert body("nginx.compose.conf") == body("nginx.conf")


def test_the_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    units = tmp_path / "units"
    shutil.copytree(ROOT / "deploy" / "systemd", units)
    stub = tmp_path / "bin"
    stub.mkdir()
    for tool in ("rnn-playground", "python"):                        # the install the units expect, as stubs
        (stub / tool).write_text("#!/bin/sh\nexit 0\n")
        (stub / tool).chmod(0o755)
    for unit in units.iterdir():
        unit.write_text(unit.read_text().replace("/opt/rnn-playground/bin/", f"{stub}/"))
    names = ["rnn-playground@8501.service", "rnn-playground-health@8501.service", "rnn-playground-health@8501.timer",
             "rnn-playground.target"]
    r = subprocess.run([analyze, "verify", "--man=no", *names], cwd=units, capture_output=True, text=True, timeout=120)
    problems = [line for line in (r.stdout + r.stderr).splitlines()
                if "rnnp" not in line and "Failed to" not in line.split(":")[0]]
    assert r.returncode == 0 or not problems, r.stdout + r.stderr
    service = (units / "rnn-playground@.service").read_text()
    assert "Restart=on-failure" in service and "--production" in service and "--address 127.0.0.1" in service
    assert "rnn-playground@%i.service" in (units / "rnn-playground-health@.service").read_text()


def test_the_image_installs_the_lock_and_runs_the_production_profile():
    docker = (ROOT / "Dockerfile").read_text()
    from rnn_core._alloc import ENVIRONMENT

    assert "pip install --require-hashes -r requirements.lock" in docker
    assert '"--production"' in docker and '"--check-health"' in docker
    for name, value in ENVIRONMENT.items():
        assert f"{name}={value}" in docker


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
