"""A training worker process: it holds the jobs the pool gave it and trains the running ones in turn.

Started by ui/common/driver.py as ``python -m ui.common.worker FD NICE LEASE`` (FD: its end of a socket pair
to the server), never imported by a page. Each job is a page's ``LiveRun`` (a
TrainSession, a SeriesSession). The loop: answer every command waiting in the pipe (make a job, call one
of its whitelisted methods, build a download, drop it), then give the next running job one time slice
(round robin), then publish that job's view. A command arriving mid-slice ends the slice after the
current iteration, so a click waits at most one iteration. The process runs at a lower priority than the
server (``nice``), so a click never queues behind training for the CPU, and with one BLAS thread.

A running job is leased: every command and every ("touch", job) from a page that shows it renews the lease;
a run whose lease runs out (the tab was closed) is stopped as Stop would, keeping every update.

Messages in: ("create", job, session_class, req), ("call", job, method, args, req), ("fetch", job, what,
req), ("touch", job), ("drop", job). Out: ("view", job, fields, req) after a job changed, ("reply", req, ok,
value) after the view it answers, ("queue", running jobs in their turn order). A failed command's value is
(the exception's type name, its English text, its template and values, or None: see ui/common/live.said), so
that the page can say it in the learner's language (a worker has no session).
"""
from __future__ import annotations

import os

# one BLAS thread per worker (the driver sets it too; before NumPy loads): the pool has as many workers as cores
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import deque  # noqa: E402
from multiprocessing.connection import Connection  # noqa: E402

from .live import N_  # noqa: E402

SLICE_SECONDS = 0.1         # a running job's turn before the next running job's
PUBLISH_EVERY = 0.25        # seconds between views of a job that trains on (a run's end is published at once)
LEASE_SECONDS = 75.0        # a run trains on this long after the last sign of a page showing it (a background
                            # tab's timers may fire only once a minute; RNN_PLAYGROUND_RUN_LEASE overrides it)
GONE = N_("this training job is gone")
COMMANDS = {"reset_weights", "continue_from", "apply_live", "start", "stop", "mark_saved", "restore"}
FETCHES = {"model_bytes", "metrics_csv", "export_torch", "export_safetensors", "checkpoint"}


def failure(e: Exception) -> tuple:
    """A failed command's reply value: the exception's type name and English text, and, when it was ``said``
    (ui/common/live.py), its template and values for the page to say it in the session's language."""
    return (type(e).__name__, str(e), getattr(e, "template", None), getattr(e, "values", None))


class Worker:
    """The jobs of one worker process and their turn order."""

    def __init__(self, conn, lease: float = LEASE_SECONDS):
        self.conn, self.lease = conn, lease
        self.jobs: dict[str, tuple] = {}                # job id -> (LiveRun, what its views have sent)
        self.turn: deque[str] = deque()                 # the running jobs, the next to train first
        self.leases: dict[str, float] = {}              # job id -> until when its run may train unseen
        self._queue_sent: tuple = ()

    # ----- commands ---------------------------------------------------------------------------------------
    def handle(self, msg: tuple) -> None:
        kind, job = msg[0], msg[1]
        if kind == "create" or job in self.jobs:
            self.leases[job] = time.perf_counter() + self.lease
        if kind == "touch":
            return
        if kind in ("call", "fetch") and job not in self.jobs:
            self.reply(msg[-1], False, ("RuntimeError", GONE, GONE, {}))
            return
        if kind == "create":
            self.jobs[job] = (msg[2](), {})
            self.publish(job, msg[3])
            self.reply(msg[3], True, None)
        elif kind == "drop":
            self.jobs.pop(job, None)
            self.leases.pop(job, None)
            self._settle_turn(job)
        elif kind == "call":
            _, _, method, args, req = msg
            sess = self.jobs[job][0]
            try:
                if method not in COMMANDS:
                    raise ValueError(f"not a command: {method}")
                result = getattr(sess, method)(*args)
            except Exception as e:                      # the page shows it (a bad file, bad text)
                self.reply(req, False, failure(e))
                return
            self._settle_turn(job)
            self.publish(job, req)
            self.reply(req, True, result)
        elif kind == "fetch":
            _, _, what, req = msg
            try:
                if what not in FETCHES:
                    raise ValueError(f"not a download: {what}")
                self.reply(req, True, getattr(self.jobs[job][0], what)())
            except Exception as e:
                self.reply(req, False, failure(e))

    def reply(self, req: int, ok: bool, value) -> None:
        self.conn.send(("reply", req, ok, value))

    def publish(self, job: str, req: int | None = None) -> None:
        sess, sent = self.jobs[job]
        now = time.perf_counter()
        self.conn.send(("view", job, sess.publish(sent, now), req))
        sent["published"] = now

    def _settle_turn(self, job: str) -> None:
        """The job joins the turn order when it runs, leaves it when it does not (or is gone)."""
        running = job in self.jobs and self.jobs[job][0].running
        if running and job not in self.turn:
            self.turn.append(job)
        elif not running and job in self.turn:
            self.turn.remove(job)
        self._send_queue()

    def _send_queue(self) -> None:
        order = tuple(self.turn)
        if order != self._queue_sent:
            self._queue_sent = order
            self.conn.send(("queue", None, order))

    # ----- the loop ---------------------------------------------------------------------------------------
    def train_one_slice(self) -> None:
        """The next running job trains one slice, then is published (at most every PUBLISH_EVERY, and always
        when its run ended) and goes to the back of the turn order."""
        job = self.turn[0]
        sess, sent = self.jobs[job]
        if time.perf_counter() > self.leases.get(job, 0.0):
            sess.stop()                                 # no page has shown it for a while: the tab is gone
        sess.train_for(SLICE_SECONDS, self.conn.poll)
        if not sess.running or time.perf_counter() - sent.get("published", 0.0) >= PUBLISH_EVERY:
            self.publish(job)
        if sess.running:
            self.turn.rotate(-1)
        else:
            self.turn.popleft()
        if len(self.turn) > 1 or not sess.running:
            self._send_queue()

    def run(self) -> None:
        while True:
            wait = 0 if self.turn else None             # idle: sleep until a command comes
            while self.conn.poll(wait):
                self.handle(self.conn.recv())
                wait = 0
            if self.turn:
                self.train_one_slice()


def main(conn, nice: int, lease: float = LEASE_SECONDS) -> None:
    """The worker process's entry: ends when the server's end of ``conn`` closes (the server stopped)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # Ctrl-C stops the server; the worker follows it
    try:
        os.nice(nice)
    except OSError:
        pass
    import ui.common.live  # noqa: F401  (NumPy, pandas and the engine, loaded before the first job comes)
    from rnn_core import keep_freed_memory

    keep_freed_memory()                                 # this process trains: freed arrays kept for the next step

    try:
        Worker(conn, lease).run()
    except (EOFError, OSError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main(Connection(int(sys.argv[1])), int(sys.argv[2]), float(sys.argv[3]))
