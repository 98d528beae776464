"""A class at once: N concurrent Chromium sessions against one `streamlit run`, on this machine.

    .venv/bin/python bench/load.py [--sessions 5,10,20] [--clicks 10] [--train] [--limit 600]

Each session opens Step through and clicks **Next step** ``clicks`` times, one click after the
previous update: the time from a click to the slider showing the new step is one sample. With
``--train`` one more session trains on the Train page (the default run) the whole time. For each N
it prints: sessions that finished, click-to-update p50 / p95 / max, errors (exceptions on a page,
timeouts), the server's memory per session (RSS growth over N) and its CPU seconds, the load
generator's CPU seconds (this process and its Chromium), and the training session's iterations.
The browsers share the machine's cores with the server; compare the two CPU columns to see which
side limits. "per click ms" is the server's CPU during the clicking phase (all pages loaded) over the
clicks: what one Next step costs the server, whatever the browsers do. Bounded: each N stops after
``--limit`` seconds; the server is restarted for each N.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--browser.gatherUsageStats", "false"], cwd=ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return url, proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _tree(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [q for c in out for q in _tree(int(c))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children still alive."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in _tree(pid):
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / tick
        except (OSError, IndexError):
            pass
    return total


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def stepper(browser, url, clicks, samples, errors, loaded: asyncio.Barrier):
    from playwright.async_api import expect

    ctx = await browser.new_context(viewport={"width": 1280, "height": 1600})
    page = await ctx.new_page()
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    try:
        await page.goto(url + "/step_through", timeout=120_000)
        slider = page.get_by_role("slider")
        await expect(slider).to_have_attribute("aria-valuetext", "1", timeout=120_000)
        await asyncio.sleep(1.0)                            # the page's first run has settled
        await asyncio.wait_for(loaded.wait(), timeout=300)  # every session has loaded: the clicks start together
        button = page.get_by_role("button", name="Next step")
        for k in range(2, clicks + 2):
            t0 = time.perf_counter()
            await button.click(timeout=60_000)
            await expect(slider).to_have_attribute("aria-valuetext", str(k), timeout=60_000)
            samples.append(time.perf_counter() - t0)
        if await page.get_by_test_id("stException").count():
            errors.append("an exception on the page")
    except Exception as e:                                  # a timeout is an error of the run, counted
        errors.append(f"{type(e).__name__}: {str(e).splitlines()[0][:120]}")
    finally:
        await ctx.close()


async def trainer(browser, url, stop: asyncio.Event, errors, result):
    ctx = await browser.new_context(viewport={"width": 1280, "height": 1600})
    page = await ctx.new_page()
    try:
        await page.goto(url + "/train?iterations=100000&hidden=128", timeout=120_000)
        await page.get_by_role("button", name="Train", exact=True).click(timeout=120_000)
        await stop.wait()
        text = await page.get_by_text("in this run", exact=False).first.inner_text(timeout=30_000)
        result["train_text"] = text                     # "iteration N (N of 100000 in this run)"
    except Exception as e:
        errors.append(f"trainer {type(e).__name__}: {str(e).splitlines()[0][:120]}")
    finally:
        await ctx.close()


async def run_one(n: int, clicks: int, train: bool, limit: float) -> dict:
    from playwright.async_api import async_playwright

    url, server = start_server()
    samples, errors, result = [], [], {}
    try:
        base_rss, base_cpu, own_cpu = rss_mb(server.pid), cpu_seconds(server.pid), cpu_seconds(os.getpid())
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            stop = asyncio.Event()
            extra = [asyncio.create_task(trainer(browser, url, stop, errors, result))] if train else []
            if train:
                await asyncio.sleep(5)                      # the run has started
            t0 = time.perf_counter()
            marks = {}
            loaded = asyncio.Barrier(n + 1)
            tasks = [asyncio.create_task(stepper(browser, url, clicks, samples, errors, loaded)) for _ in range(n)]
            try:
                await asyncio.wait_for(loaded.wait(), timeout=300)
            except (asyncio.TimeoutError, asyncio.BrokenBarrierError):
                errors.append("not every session loaded within 300 s")
            marks["clicks_from"] = cpu_seconds(server.pid)
            done, pending = await asyncio.wait(tasks, timeout=limit)
            for t in pending:
                t.cancel()
                errors.append("still running at the time limit")
            wall = time.perf_counter() - t0
            marks["clicks_to"] = cpu_seconds(server.pid)
            peak_rss = rss_mb(server.pid)
            stop.set()
            if extra:
                await asyncio.wait(extra, timeout=60)
            load_cpu = cpu_seconds(os.getpid()) - own_cpu   # this process and its Chromium, before it closes
            await browser.close()
        server_cpu = cpu_seconds(server.pid) - base_cpu
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    s = np.array(samples)
    return {"n": n, "finished": sum(1 for t in done if not t.cancelled()) - sum(1 for e in errors if "Error" in e),
            "p50": float(np.median(s)) if s.size else float("nan"),
            "p95": float(np.percentile(s, 95)) if s.size else float("nan"), "max": float(s.max()) if s.size else 0.0,
            "errors": len(errors), "first_error": errors[0] if errors else "",
            "mb_per_session": (peak_rss - base_rss) / n, "server_cpu": server_cpu, "load_cpu": load_cpu,
            "ms_per_click": 1e3 * (marks["clicks_to"] - marks["clicks_from"]) / max(1, len(samples)),
            "wall": wall, "train": result.get("train_text", "")}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", default="5,10,20", help="comma-separated session counts, tried in turn")
    ap.add_argument("--clicks", type=int, default=10)
    ap.add_argument("--train", action="store_true", help="one more session trains on the Train page meanwhile")
    ap.add_argument("--limit", type=float, default=600, help="seconds each session count may take")
    a = ap.parse_args(argv)
    print(f"{os.cpu_count()} cores; {a.clicks} Next-step clicks per session; a training session: {a.train}")
    print(f"{'sessions':>8s} {'finished':>8s} {'p50 s':>6s} {'p95 s':>6s} {'max s':>6s} {'errors':>6s} "
          f"{'MB/session':>10s} {'server CPU s':>12s} {'per click ms':>12s} {'browsers CPU s':>14s} {'wall s':>6s}"
          "  training")
    for n in (int(x) for x in a.sessions.split(",")):
        r = asyncio.run(run_one(n, a.clicks, a.train, a.limit))
        print(f"{r['n']:8d} {r['finished']:8d} {r['p50']:6.2f} {r['p95']:6.2f} {r['max']:6.2f} {r['errors']:6d} "
              f"{r['mb_per_session']:10.1f} {r['server_cpu']:12.1f} {r['ms_per_click']:12.0f} {r['load_cpu']:14.1f} "
              f"{r['wall']:6.1f}  "
              f"{r['train']}", flush=True)
        if r["first_error"]:
            print(f"         first error: {r['first_error']}")


if __name__ == "__main__":
    main()
