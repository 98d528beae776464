"""A class at once, measured without browsers: N sessions that speak Streamlit's websocket protocol.

    .venv/bin/python bench/load.py [--sessions 1,10,25] [--clicks 10] [--think 2] [--trainers 4]
                                   [--processes 2] [--page step_through] [--profile FILE]
    .venv/bin/python bench/load.py --validate          # the protocol client against one Chromium, N = 1
    .venv/bin/python bench/load.py --soak 3600 --sessions 10 --trainers 2    # RSS over an hour
    .venv/bin/python bench/load.py --client chromium --sessions 5             # real browsers (what only they show)

Each of N sessions opens a page (Step through by default) and clicks its button (**Next step**)
``clicks`` times, waiting ``think`` seconds between a reply and the next click, starting at a random
offset within the first ``think`` seconds (a class, not a metronome). One sample is the time from the
click's BackMsg to the server's "script finished" for its run. With ``--trainers K``, K more sessions
train on the Train page the whole time (H=128, 100,000 iterations), following the fragment reruns the
page asks for; the first trains alone for a while first, for the rate a trainer gets alone.
``--processes P`` starts P servers behind nginx with deploy/nginx.conf's sticky sessions.

For each N it prints: click-to-finished p50 / p95 / max, errors (exceptions on a page, timeouts), the
clicks served per second, the server's CPU per click (the server processes only, not their training
workers), RSS per session (the growth while the sessions opened, over N), every trainer's iterations
per second against its rate alone, and this process's CPU (the load generator's share).
The servers are started fresh for each N from ``--app-dir`` (default: this checkout), so an older
revision is measured with the same client (``git archive REV | tar -x -C DIR``).
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from protocol import Session  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# what one click is on each page: a button's label, or a widget's label and the values it takes in turn
ACTIONS = {"step_through": ("click", "Next step"), "time_series": ("click", "Next step"),
           "train": ("click", "Stop"), "gradient_lab": ("slider", "W_hh spectral radius", [1.1, 0.9])}
TRAIN_PAGE = ("train", "iterations=100000&hidden=128")
SERVER_CPUS, BROWSER_CPUS = "0", "1"        # --validate: the server on one core, the client on the other


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str, tries: int = 300) -> bool:
    for _ in range(tries):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Servers:
    """P `streamlit run` processes of ``app_dir`` (behind nginx when P > 1); ``url`` is where sessions go."""

    def __init__(self, processes: int, app_dir: Path, log: Path | None = None, cpus: str | None = None):
        self.procs, self.tmp, self.nginx = [], None, None
        ports = [_free_port() for _ in range(processes)]
        out = open(log, "w") if log else subprocess.DEVNULL
        pin = ["taskset", "-c", cpus] if cpus else []            # on these cores only (--validate)
        # one process per core shares the cores' training workers out too (README, A classroom on one server)
        env = {**os.environ, "RNN_PLAYGROUND_TRAINING_WORKERS": str(max(1, (os.cpu_count() or 1) // processes))}
        for port in ports:
            self.procs.append(subprocess.Popen(
                [*pin, sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                 "--server.port", str(port), "--browser.gatherUsageStats", "false"], cwd=app_dir,
                start_new_session=True, stdout=out, stderr=subprocess.STDOUT, env=env))
        for port in ports:
            if not _healthy(f"http://127.0.0.1:{port}"):
                self.stop()
                raise RuntimeError("a server did not start")
        self.url = f"http://127.0.0.1:{ports[0]}"
        if processes > 1:
            self.tmp = Path(tempfile.mkdtemp(prefix="rnnp_nginx_"))
            listen = _free_port()
            conf = self._proxy_config(listen, ports)
            self.nginx = subprocess.Popen([NGINX, "-p", str(self.tmp), "-c", str(conf), "-g", "daemon off;"],
                                          start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            self.url = f"http://127.0.0.1:{listen}"
            if not _healthy(self.url, 100):
                self.stop()
                raise RuntimeError("nginx did not answer")

    def _proxy_config(self, listen: int, ports: list[int]) -> Path:
        """deploy/nginx.conf on ``listen`` in front of ``ports``, its files in a temporary folder."""
        conf = (ROOT / "deploy" / "nginx.conf").read_text()
        conf = re.sub(r"listen \d+;", f"listen 127.0.0.1:{listen};", conf)
        conf = re.sub(r"(        server 127\.0\.0\.1:\d+;\n)+",
                      "".join(f"        server 127.0.0.1:{p};\n" for p in ports), conf)
        temp = "".join(f"    {d}_temp_path {self.tmp / d};\n" for d in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                         "scgi"))
        conf = conf.replace("http {\n", "http {\n" + temp, 1)
        conf = conf.replace("worker_processes auto;", f"worker_processes 1;\npid {self.tmp / 'nginx.pid'};\n"
                            f"error_log {self.tmp / 'error.log'};")
        path = self.tmp / "nginx.conf"
        path.write_text(conf)
        return path

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def cpu(self) -> float:
        """CPU seconds of the server processes themselves (not their children: training workers)."""
        return sum(cpu_seconds(p) for p in self.pids)

    def children_cpu(self) -> float:
        return sum(cpu_seconds(c) for p in self.pids for c in _tree(p)[1:])

    def rss(self) -> float:
        return sum(rss_mb(p) for p in self.pids)

    def children_rss(self) -> float:
        return sum(rss_mb(c) for p in self.pids for c in _tree(p)[1:])

    def stop(self) -> None:
        for p in self.procs + ([self.nginx] if self.nginx else []):
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _tree(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [q for c in out for q in _tree(int(c))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process."""
    try:
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError):
        return 0.0


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def own_cpu() -> float:
    t = os.times()
    return t.user + t.system


# ----- the protocol client's sessions ----------------------------------------------------------------------
async def act(s: Session, page: str, k: int, timeout: float) -> float:
    """One click of ``page``'s action (the k-th); returns its click-to-finished seconds."""
    kind, label, *values = ACTIONS[page]
    if kind == "click":
        return await s.click(label, timeout)
    return await s.set_slider(label, values[0][k % len(values[0])], timeout)


async def clicker(url, page, clicks, think, seed, samples, errors, loaded, go, timeout=120.0):
    s = Session(url, page)
    rng = random.Random(seed)
    try:
        await s.open(timeout)
        await loaded()
        await go.wait()
        await asyncio.sleep(rng.uniform(0, think))
        for k in range(clicks):
            samples.append(await act(s, page, k, timeout))
            await asyncio.sleep(think)
        errors.extend(s.errors)
    except Exception as e:                                  # a timeout is an error of the run, counted
        errors.append(f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}")
    finally:
        await s.close()


class Trainer:
    """A session training on the Train page, following its fragment reruns; its iteration read from the page."""

    def __init__(self, url: str):
        self.s = Session(url, TRAIN_PAGE[0], query=TRAIN_PAGE[1])
        self.marks: list[tuple[float, int]] = []

    async def start(self, timeout: float = 120.0) -> None:
        await self.s.open(timeout)
        await self.s.click("Train", timeout)

    def mark(self) -> None:
        it = self.s.iteration()
        if it is not None:
            self.marks.append((time.perf_counter(), it))

    def rate(self, since: float = 0.0) -> float:
        m = [x for x in self.marks if x[0] >= since]
        return (m[-1][1] - m[0][1]) / (m[-1][0] - m[0][0]) if len(m) > 1 and m[-1][0] > m[0][0] else float("nan")


async def sample_trainers(trainers: list[Trainer], stop: asyncio.Event, every: float = 0.5) -> None:
    while not stop.is_set():
        for t in trainers:
            t.mark()
        await asyncio.sleep(every)


async def run_protocol(n: int, a) -> dict:
    servers = Servers(a.processes, Path(a.app_dir), log=a.server_log)
    samples, errors, out = [], [], {"n": n}
    profiler = None
    try:
        warm = Session(servers.url, a.page)                  # the first session's imports are not a session's memory
        await warm.open()
        await warm.close()
        rss0, cpu_client0 = servers.rss(), own_cpu()
        trainers = [Trainer(servers.url) for _ in range(a.trainers)]
        stop = asyncio.Event()
        watch = asyncio.create_task(sample_trainers(trainers, stop))
        alone = float("nan")
        if trainers:
            await trainers[0].start()
            t_alone = time.perf_counter()
            await asyncio.sleep(a.alone)
            alone = trainers[0].rate(t_alone + 2.0)            # after its first redraws
            for t in trainers[1:]:
                await t.start()
        opened, go = [0], asyncio.Event()

        async def loaded():
            opened[0] += 1

        tasks = [asyncio.create_task(clicker(servers.url, a.page, a.clicks, a.think, 1000 * n + i, samples, errors,
                                             loaded, go)) for i in range(n)]
        t_load = time.perf_counter()
        while opened[0] + sum(t.done() for t in tasks) < n and time.perf_counter() - t_load < 300:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)                              # the last page's run has settled
        out["mb_per_session"] = (servers.rss() - rss0) / max(1, n)
        cpu0, child0, t0 = servers.cpu(), servers.children_cpu(), time.perf_counter()
        if a.profile:
            spy = str(Path(sys.executable).parent / "py-spy")
            profiler = subprocess.Popen([spy, "record", "--pid", str(servers.pids[0]), "--format", "raw", "--gil",
                                         "--rate", "100", "--nonblocking", "-o", f"{a.profile}.{n}",
                                         "--duration", str(int(a.clicks * (a.think + 0.3)))],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        go.set()
        done, pending = await asyncio.wait(tasks, timeout=a.limit)
        for t in pending:
            t.cancel()
            errors.append("still running at the time limit")
        wall = time.perf_counter() - t0
        out["cpu_per_click"] = 1e3 * (servers.cpu() - cpu0) / max(1, len(samples))
        out["workers_cpu"] = servers.children_cpu() - child0
        out["clicks_per_s"] = len(samples) / wall
        out["server_cpu_share"] = (servers.cpu() - cpu0) / wall
        rates = [t.rate(t0) for t in trainers]
        out["train"] = {"alone": alone, "rates": rates}
        for t in trainers:
            errors.extend(f"trainer: {e}" for e in t.s.errors)
        stop.set()
        await watch
        for t in trainers:
            await t.s.close()
        out["rss_mb"], out["workers_rss_mb"] = servers.rss(), servers.children_rss()
        out["client_cpu_share"] = (own_cpu() - cpu_client0) / (time.perf_counter() - t_load)
        if profiler:
            profiler.wait(timeout=120)
            out["profile"] = summarize_profile(f"{a.profile}.{n}")
    finally:
        servers.stop()
    s = np.array(samples)
    out.update(samples=len(samples), errors=len(errors), first_error=errors[0] if errors else "",
               p50=float(np.median(s)) if s.size else float("nan"),
               p95=float(np.percentile(s, 95)) if s.size else float("nan"), max=float(s.max()) if s.size else 0.0)
    return out


PROFILE_PARTS = [    # (what, a frame every sample of it has): the first that matches names a sample
    ("Streamlit's full collection after each run (gc.collect)", "_on_script_finished"),
    ("training in a script run (before the workers)", "rnn_core/train.py"),
    ("figures: Plotly (build, validate, to_dict, to_json)", "plotly/"),
    ("figures: the app's own (finishing, caching)", "ui/common/specs.py"),
    ("the page's script: the rest (widgets, text, pandas, NumPy)", "exec_func_with_error_handling"),
    ("websocket, protobuf and the event loop", ""),
]


def summarize_profile(path: str) -> list[tuple[str, float]]:
    """py-spy's raw stacks (``--profile``) as shares of the samples that held the interpreter lock."""
    counts, total = {what: 0 for what, _ in PROFILE_PARTS}, 0
    for line in Path(path).read_text().splitlines():
        stack, n = line.rsplit(" ", 1)
        total += int(n)
        for what, frame in PROFILE_PARTS:
            if frame in stack:
                counts[what] += int(n)
                break
    return [(what, counts[what] / max(1, total)) for what, _ in PROFILE_PARTS]


def print_header(a) -> None:
    print(f"{os.cpu_count()} cores; {a.processes} server process(es); {a.page}: {a.clicks} clicks per session, "
          f"{a.think:g} s between a reply and the next click; {a.trainers} training session(s)")
    print(f"{'users':>5s} {'p50 s':>6s} {'p95 s':>6s} {'max s':>6s} {'errors':>6s} {'clicks/s':>8s} "
          f"{'CPU/click ms':>12s} {'MB/session':>10s} {'client CPU':>10s}  trainers it/s (alone -> now, min %)")


def print_row(r: dict) -> None:
    tr = r.get("train", {})
    rates = tr.get("rates", [])
    train = ""
    if rates:
        alone = tr["alone"]
        low = min(rates) / alone * 100 if alone == alone and alone > 0 else float("nan")
        train = f"{alone:.0f} -> " + ", ".join(f"{x:.0f}" for x in rates) + f" ({low:.0f}%)"
    print(f"{r['n']:5d} {r['p50']:6.2f} {r['p95']:6.2f} {r['max']:6.2f} {r['errors']:6d} {r['clicks_per_s']:8.2f} "
          f"{r['cpu_per_click']:12.0f} {r['mb_per_session']:10.1f} {r['client_cpu_share']:9.0%}  {train}", flush=True)
    if r["first_error"]:
        print(f"      first error: {r['first_error']}")
    for what, share in r.get("profile", []):
        print(f"      {share:6.1%}  {what}")


# ----- validation: the protocol client beside one Chromium at N = 1 ------------------------------------------
async def chromium_clicks(url: str, page_path: str, label: str, clicks: int, think: float, loaded=None) -> dict:
    """One Chromium session clicking ``label``: per click the frames and bytes the server sent, the widget ids of
    the BackMsg, and the time from that BackMsg to the script-finished frame, by the browser's own network clock
    (DevTools' Network.webSocketFrame* timestamps, not when the events reach this process). Chromium runs on the
    cores ``BROWSER_CPUS`` names and the server on the others, as if the browser were on the learner's machine:
    otherwise its drawing takes the CPU the server answers with."""
    from playwright.async_api import async_playwright
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    frames = []                                          # (browser time, "sent"/"received", bytes)
    wrapper = Path(tempfile.mkdtemp(prefix="rnnp_chromium_")) / "chromium"
    wrapper.write_text(f'#!/bin/sh\nexec taskset -c {BROWSER_CPUS} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(wrapper), args=FLAGS)
        page = await browser.new_page(viewport={"width": 1280, "height": 1600})
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Network.enable")

        def frame(kind):
            def on(e):
                data = e["response"]["payloadData"]
                raw = base64.b64decode(data) if e["response"].get("opcode") == 2 else data.encode()
                frames.append((e["timestamp"], kind, raw))
            return on

        cdp.on("Network.webSocketFrameSent", frame("sent"))
        cdp.on("Network.webSocketFrameReceived", frame("received"))
        await page.goto(f"{url}/{page_path}", timeout=120_000)
        await page.get_by_role("button", name=label).wait_for(timeout=120_000)
        await asyncio.sleep(3.0)
        if loaded:
            loaded()
        button = page.get_by_role("button", name=label)
        for _ in range(clicks):
            n = sum(1 for f in frames if f[1] == "received")
            await button.click(timeout=60_000)
            for _ in range(600):
                if _finished([f for f in frames[:] if f[1] == "received"][n:], ForwardMsg):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(think)
        await browser.close()
    shutil.rmtree(wrapper.parent, ignore_errors=True)
    clicks_out = []
    for i, (t, kind, payload) in enumerate(frames):
        if kind != "sent":
            continue
        msg = BackMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") != "rerun_script" or not any(w.trigger_value for w in
                                                                msg.rerun_script.widget_states.widgets):
            continue
        answer, n_msg, n_bytes = None, 0, 0
        for t2, kind2, p2 in frames[i + 1:]:
            if kind2 != "received":
                continue
            n_msg, n_bytes = n_msg + 1, n_bytes + len(p2)
            fm = ForwardMsg()
            fm.ParseFromString(p2)
            if fm.WhichOneof("type") == "script_finished":
                answer = t2 - t
                break
        clicks_out.append({"seconds": answer, "messages": n_msg, "bytes": n_bytes,
                           "ids": sorted(w.id for w in msg.rerun_script.widget_states.widgets)})
    return {"clicks": clicks_out}


def _finished(frames, ForwardMsg) -> bool:
    for _, _, p in frames:
        fm = ForwardMsg()
        fm.ParseFromString(p)
        if fm.WhichOneof("type") == "script_finished":
            return True
    return False


async def protocol_clicks(url: str, page: str, label: str, clicks: int, think: float, loaded=None) -> dict:
    s = Session(url, page)
    await s.open()
    await asyncio.sleep(3.0)
    if loaded:
        loaded()
    out = []
    for _ in range(clicks):
        index, sent = len(s.runs), len(s.sent)
        t = await s.click(label)
        r = s.runs[index]
        out.append({"seconds": t, "messages": r.messages, "bytes": r.bytes,
                    "ids": sorted(w.id for w in s.sent[sent].rerun_script.widget_states.widgets)})
        await asyncio.sleep(think)
    await s.close()
    return {"clicks": out}


def validate(a) -> None:
    """The same clicks from the protocol client and from Chromium, alternating in rounds, each on a fresh server
    (so neither finds the other's figures cached), the server on one core and the client on the other."""
    os.sched_setaffinity(0, {int(c) for c in BROWSER_CPUS.split(",")})
    page, (_, label, *_) = a.page, ACTIONS[a.page]
    rounds = {"protocol": [], "chromium": []}
    cpu_ms = {"protocol": [], "chromium": []}
    for _ in range(a.rounds):
        for name, clicker in (("protocol", protocol_clicks), ("chromium", chromium_clicks)):
            servers = Servers(1, Path(a.app_dir), cpus=SERVER_CPUS)
            try:
                at = []                                  # the server's CPU once the page has loaded
                got = asyncio.run(clicker(servers.url, page, label, a.clicks, a.think,
                                          lambda: at.append(servers.cpu())))["clicks"]
                rounds[name] += got
                cpu_ms[name].append(1e3 * (servers.cpu() - at[0]) / max(1, len(got)))
            finally:
                servers.stop()
    print(f"{a.page}, one session at a time, {a.rounds} round(s) of {a.clicks} clicks on {label!r} each:")
    print(f"{'client':>9s} {'clicks':>6s} {'median s':>8s} {'messages':>8s} {'kB':>6s} {'server CPU ms':>13s}  "
          "widget ids")
    ids = {}
    for name, cs in rounds.items():
        secs = [c["seconds"] for c in cs if c["seconds"] is not None]
        ids[name] = {i for c in cs for i in c["ids"]}
        print(f"{name:>9s} {len(cs):6d} {np.median(secs):8.3f} {np.median([c['messages'] for c in cs]):8.0f} "
              f"{np.median([c['bytes'] for c in cs]) / 1e3:6.1f} {np.median(cpu_ms[name]):13.0f}  {len(ids[name])}")
    same = ids["protocol"] == ids["chromium"]
    ratio = np.median([c["seconds"] for c in rounds["protocol"]]) / np.median(
        [c["seconds"] for c in rounds["chromium"] if c["seconds"] is not None])
    print(f"same widget ids: {same}; protocol / Chromium: latency {ratio:.2f}, server CPU per click "
          f"{np.median(cpu_ms['protocol']) / np.median(cpu_ms['chromium']):.2f}")
    if not same:
        print("  only protocol:", sorted(ids["protocol"] - ids["chromium"]))
        print("  only Chromium:", sorted(ids["chromium"] - ids["protocol"]))


# ----- soak: memory over a long run --------------------------------------------------------------------------
async def soak(a) -> None:
    """Clickers that reconnect every ``--reconnect`` clicks (a new session each time, as a class's refreshes)
    and trainers, for ``--soak`` seconds; the servers' RSS every ``--sample`` seconds."""
    servers = Servers(a.processes, Path(a.app_dir), log=a.server_log)
    stop = asyncio.Event()
    counts = {"clicks": 0, "sessions": 0, "errors": 0}
    samples = []

    async def looper(i):
        rng = random.Random(i)
        while not stop.is_set():
            s = Session(servers.url, a.page)
            try:
                await s.open()
                counts["sessions"] += 1
                for k in range(a.reconnect):
                    if stop.is_set():
                        break
                    samples.append(await act(s, a.page, k, 120))
                    counts["clicks"] += 1
                    await asyncio.sleep(a.think * rng.uniform(0.5, 1.5))
                counts["errors"] += len(s.errors)
            except Exception:
                counts["errors"] += 1
            finally:
                await s.close()

    trainers = [Trainer(servers.url) for _ in range(a.trainers)]
    try:
        for t in trainers:
            await t.start()
        tasks = [asyncio.create_task(looper(i)) for i in range(a.sessions_list[0])]
        t0 = time.perf_counter()
        print(f"{'minutes':>7s} {'server RSS MB':>13s} {'workers RSS MB':>14s} {'clicks':>7s} {'sessions':>8s} "
              f"{'errors':>6s} {'p95 s':>6s}  iterations", flush=True)
        while time.perf_counter() - t0 < a.soak:
            await asyncio.sleep(a.sample)
            for t in trainers:
                t.mark()
            recent = samples[-200:]
            p95 = float(np.percentile(recent, 95)) if recent else float("nan")
            its = [t.marks[-1][1] if t.marks else 0 for t in trainers]
            print(f"{(time.perf_counter() - t0) / 60:7.1f} {servers.rss():13.0f} {servers.children_rss():14.0f} "
                  f"{counts['clicks']:7d} {counts['sessions']:8d} {counts['errors']:6d} {p95:6.2f}  {its}",
                  flush=True)
        stop.set()
        await asyncio.wait(tasks, timeout=180)
    finally:
        for t in trainers:
            await t.s.close()
        servers.stop()


# ----- the Chromium mode: what only a browser shows ----------------------------------------------------------
async def browser_stepper(browser, url, clicks, think, samples, errors, loaded: asyncio.Barrier):
    from playwright.async_api import expect

    ctx = await browser.new_context(viewport={"width": 1280, "height": 1600})
    page = await ctx.new_page()
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    try:
        await page.goto(url + "/step_through", timeout=120_000)
        slider = page.get_by_role("slider")
        await expect(slider).to_have_attribute("aria-valuetext", "1", timeout=120_000)
        await asyncio.sleep(1.0)
        await asyncio.wait_for(loaded.wait(), timeout=300)
        button = page.get_by_role("button", name="Next step")
        for k in range(2, clicks + 2):
            t0 = time.perf_counter()
            await button.click(timeout=60_000)
            await expect(slider).to_have_attribute("aria-valuetext", str(k), timeout=60_000)
            samples.append(time.perf_counter() - t0)
            await asyncio.sleep(think)
        if await page.get_by_test_id("stException").count():
            errors.append("an exception on the page")
    except Exception as e:
        errors.append(f"{type(e).__name__}: {str(e).splitlines()[0][:120]}")
    finally:
        await ctx.close()


async def run_chromium(n: int, a) -> dict:
    """N Chromium tabs clicking Next step (click to the slider's new value); the browsers share the cores."""
    from playwright.async_api import async_playwright

    servers = Servers(a.processes, Path(a.app_dir))
    samples, errors = [], []
    try:
        rss0, client0 = servers.rss(), own_cpu()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            loaded = asyncio.Barrier(n + 1)
            tasks = [asyncio.create_task(browser_stepper(browser, servers.url, a.clicks, a.think, samples, errors,
                                                         loaded)) for _ in range(n)]
            t_load = time.perf_counter()
            try:
                await asyncio.wait_for(loaded.wait(), timeout=300)
            except (asyncio.TimeoutError, asyncio.BrokenBarrierError):
                errors.append("not every session loaded within 300 s")
            mb = (servers.rss() - rss0) / n
            cpu0, t0 = servers.cpu(), time.perf_counter()
            await asyncio.wait(tasks, timeout=a.limit)
            wall = time.perf_counter() - t0
            cpu = servers.cpu() - cpu0
            browsers_cpu = sum(cpu_seconds(p) for p in _tree(os.getpid())[1:])
            await browser.close()
        client = (own_cpu() - client0 + browsers_cpu) / (time.perf_counter() - t_load)
    finally:
        servers.stop()
    s = np.array(samples)
    return {"n": n, "p50": float(np.median(s)) if s.size else float("nan"),
            "p95": float(np.percentile(s, 95)) if s.size else float("nan"), "max": float(s.max()) if s.size else 0.0,
            "errors": len(errors), "first_error": errors[0] if errors else "", "clicks_per_s": len(samples) / wall,
            "cpu_per_click": 1e3 * cpu / max(1, len(samples)), "mb_per_session": mb, "client_cpu_share": client}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", default="1,10,25", help="comma-separated session counts, each on fresh servers")
    ap.add_argument("--clicks", type=int, default=10)
    ap.add_argument("--think", type=float, default=2.0, help="seconds between a reply and the next click")
    ap.add_argument("--page", default="step_through", choices=sorted(ACTIONS))
    ap.add_argument("--trainers", type=int, default=0, help="sessions training on the Train page meanwhile")
    ap.add_argument("--alone", type=float, default=12.0, help="seconds the first trainer trains alone")
    ap.add_argument("--processes", type=int, default=1, help="server processes (behind nginx when more than one)")
    ap.add_argument("--client", default="protocol", choices=["protocol", "chromium"])
    ap.add_argument("--validate", action="store_true", help="the protocol client beside one Chromium, N = 1")
    ap.add_argument("--rounds", type=int, default=2, help="--validate: rounds of each client")
    ap.add_argument("--soak", type=float, default=0, help="seconds of a soak run (RSS sampled)")
    ap.add_argument("--reconnect", type=int, default=20, help="--soak: clicks before a session is replaced")
    ap.add_argument("--sample", type=float, default=60, help="--soak: seconds between RSS samples")
    ap.add_argument("--profile", help="py-spy raw stacks of the first server during the clicks, to FILE.N for each "
                                      "N, and their breakdown (only the thread holding the interpreter lock)")
    ap.add_argument("--limit", type=float, default=900, help="seconds the clicking phase may take")
    ap.add_argument("--app-dir", default=str(ROOT), help="the checkout whose app.py the servers run")
    ap.add_argument("--server-log", help="the servers' output to this file")
    ap.add_argument("--json", help="append each row as JSON to this file")
    a = ap.parse_args(argv)
    a.sessions_list = [int(x) for x in a.sessions.split(",")]
    if a.validate:
        validate(a)
        return
    if a.soak:
        asyncio.run(soak(a))
        return
    print_header(a)
    for n in a.sessions_list:
        r = asyncio.run(run_protocol(n, a) if a.client == "protocol" else run_chromium(n, a))
        print_row(r)
        if a.json:
            with open(a.json, "a") as f:
                f.write(json.dumps({**vars(a), **r}, default=str) + "\n")


if __name__ == "__main__":
    main()
