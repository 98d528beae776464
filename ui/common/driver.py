"""Live training off the script thread: one bounded pool of worker processes per server, one driver for
Train and Time series.

- ``training_pool()``: the server process's ``TrainingPool`` (Streamlit's cache_resource: process-wide
  infrastructure, holding no session's data where another session could read it). Its workers start on
  first use, ``RNN_PLAYGROUND_TRAINING_WORKERS`` of them (default: the machine's cores), each a fresh
  interpreter (``python -m ui.common.worker``: the threaded server is never forked, and no worker runs the
  server's main module again), with one BLAS thread, at a lower CPU priority than the server.
- A worker (ui/common/worker.py) holds jobs, a page's ``LiveRun`` each, trains the running ones in turn,
  a time slice each, and publishes each job's ``LiveView`` after its slice and after every command.
- One listener thread per worker reads what it sends and replaces the job's ``latest`` view with the new
  one: a page's script run takes a view and only reads it. No lock is held across a script run; a
  command waits for its own worker's answer, which comes between two iterations.
- A session holds a ``RunHandle``: its job (an unguessable id from ``secrets``) and nothing of any other
  session's. When the session ends and the handle is collected, its job is dropped.
"""
from __future__ import annotations

import collections
import itertools
import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from rnn_core.io import ModelFileError

from .live import N_
from .runfile import RunFileError

ROOT = Path(__file__).resolve().parents[2]     # where ``python -m ui.common.worker`` finds the package
CALL_TIMEOUT = 120.0        # seconds a command may take (continuing from a 50 MB model on a busy worker)
TRAINING_NICE = 10          # the workers' CPU priority below the server's: clicks first, training with the rest
# what a command may raise to the page (a saved run that cannot be restored: RunFileError, which the run links catch)
ERRORS = {"ModelFileError": ModelFileError, "ValueError": ValueError, "RunFileError": RunFileError}
# a worker that stopped: the job's view carries it as its ``error`` and a waiting command raises it (in English:
# the page that shows it translates it)
WORKER_LOST = N_("The training process stopped unexpectedly, so this model and its run are gone. Press Reset weights "
                 "to start again.")


def default_workers() -> int:
    """RNN_PLAYGROUND_TRAINING_WORKERS, or the machine's cores."""
    try:
        return max(1, int(os.environ.get("RNN_PLAYGROUND_TRAINING_WORKERS", "")))
    except ValueError:
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class QueueState:
    """Where a job stands: ``position`` 0 trains now (or next), ``sharing`` running jobs take turns on its
    worker (``worker`` of ``workers``), ``busy`` workers have a run going on."""

    running: bool
    position: int
    sharing: int
    worker: int
    workers: int
    busy: int


class Job:
    """One session's job: which worker holds it and the latest view it published (replaced, never changed)."""

    def __init__(self, job_id: str, worker: int, latest):
        self.id, self.worker, self.latest = job_id, worker, latest
        self.lost = False
        self.changed = threading.Condition()


class _Worker:
    """The server's end of one worker process: its pipe, a lock for sending, its listener thread."""

    def __init__(self, process, conn):
        self.process, self.conn = process, conn
        self.send_lock = threading.Lock()
        self.alive = True
        self.jobs = 0
        self.queue: tuple = ()


class _Reply:
    def __init__(self, worker: int):
        self.worker, self.done = worker, threading.Event()
        self.ok, self.value = False, None


class TrainingPool:
    """A bounded pool of training worker processes and the jobs they hold (see the module's docstring)."""

    def __init__(self, workers: int | None = None, nice: int = TRAINING_NICE, lease: float | None = None):
        from .worker import LEASE_SECONDS

        self.size, self.nice = workers or default_workers(), nice
        self.lease = lease or float(os.environ.get("RNN_PLAYGROUND_RUN_LEASE", "") or LEASE_SECONDS)
        self._workers: list[_Worker | None] = [None] * self.size
        self._jobs: dict[str, Job] = {}
        self._replies: dict[int, _Reply] = {}
        self._dropped: collections.deque[str] = collections.deque()   # jobs whose sessions ended, to let go
        self._req = itertools.count(1)
        self._lock = threading.Lock()                   # the dicts above and starting workers; never held long

    # ----- workers -----------------------------------------------------------------------------------------
    def _start(self, i: int) -> _Worker:
        """Worker ``i``: a fresh interpreter running ui/common/worker.py, a socket pair between the two (on
        systems without one, multiprocessing's spawn)."""
        if os.name == "posix":
            ours, theirs = socket.socketpair()
            env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
            process = subprocess.Popen([sys.executable, "-m", "ui.common.worker", str(theirs.fileno()),
                                        str(self.nice), str(self.lease)], cwd=ROOT, env=env,
                                       pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
            theirs.close()
            conn = Connection(ours.detach())
        else:
            from . import worker

            ctx = multiprocessing.get_context("spawn")
            conn, theirs = ctx.Pipe()
            process = ctx.Process(target=worker.main, args=(theirs, self.nice, self.lease), daemon=True)
            process.start()
            theirs.close()
        w = _Worker(process, conn)
        threading.Thread(target=self._listen, args=(i, w), daemon=True, name=f"training-listener-{i + 1}").start()
        return w

    def start(self) -> None:
        """Start every worker that is not running (they boot in the background: this does not wait)."""
        with self._lock:
            for i, w in enumerate(self._workers):
                if w is None or not w.alive:
                    self._workers[i] = self._start(i)

    def _worker_for_new_job(self) -> int:
        """The live worker with the fewest jobs (started if need be)."""
        self.start()
        with self._lock:
            i = min(range(self.size), key=lambda k: (self._workers[k].jobs, k))
            self._workers[i].jobs += 1
            return i

    def _send(self, i: int, msg: tuple) -> None:
        w = self._workers[i]
        with w.send_lock:
            w.conn.send(msg)

    def _listen(self, i: int, w: _Worker) -> None:
        """Read worker ``i``'s messages: views replace their job's latest, replies wake their caller."""
        try:
            while True:
                kind, key, *rest = w.conn.recv()
                if kind == "view":
                    job = self._jobs.get(key)
                    if job is not None:
                        with job.changed:
                            job.latest = job.latest.updated(rest[0])
                            job.changed.notify_all()
                elif kind == "reply":
                    reply = self._replies.pop(key, None)
                    if reply is not None:
                        reply.ok, reply.value = rest
                        reply.done.set()
                elif kind == "queue":
                    w.queue = rest[0]
        except (EOFError, OSError):
            self._lost(i, w)

    def _lost(self, i: int, w: _Worker) -> None:
        """Worker ``i`` stopped (killed, out of memory): its jobs are gone, and every page waiting on it hears so."""
        w.alive = False
        why = WORKER_LOST
        with self._lock:
            for job in self._jobs.values():
                if job.worker == i:
                    job.lost = True
                    with job.changed:
                        job.latest = job.latest.updated({"running": False, "error": why})
                        job.changed.notify_all()
            for req, reply in list(self._replies.items()):
                if reply.worker == i:
                    reply.ok, reply.value = False, ("RuntimeError", why, why, {})
                    reply.done.set()
                    self._replies.pop(req, None)

    # ----- jobs ------------------------------------------------------------------------------------------
    def _request(self, worker: int, msg: tuple, timeout: float):
        req = next(self._req)
        reply = _Reply(worker)
        with self._lock:
            self._replies[req] = reply
        self._send(worker, (*msg, req))
        if not reply.done.wait(timeout):
            with self._lock:
                self._replies.pop(req, None)
            raise TimeoutError(f"the training worker did not answer within {timeout:.0f} s")
        if not reply.ok:
            name, text, *said = reply.value             # (and the template and values of a said one: live.said)
            err = ERRORS.get(name, RuntimeError)(text)
            if said and said[0] is not None:
                err.template, err.values = said
            raise err
        return reply.value

    def create(self, session_class, view_class) -> Job:
        """A new job holding a fresh ``session_class()``; returns once its first view arrived."""
        self._let_go()
        job = Job(secrets.token_urlsafe(24), self._worker_for_new_job(), view_class())
        with self._lock:
            self._jobs[job.id] = job
        self._request(job.worker, ("create", job.id, session_class), CALL_TIMEOUT)
        return job

    def call(self, job: Job, method: str, args: tuple, timeout: float = CALL_TIMEOUT):
        """Run ``method(*args)`` on the job's session in its worker; returns its result once the view that
        follows it is the job's latest. Raises what the method raised (ValueError, ModelFileError)."""
        self._let_go()
        return self._request(job.worker, ("call", job.id, method, args), timeout)

    def fetch(self, job: Job, what: str, timeout: float = CALL_TIMEOUT):
        """A download built by the worker between two iterations (the weights of one iteration)."""
        return self._request(job.worker, ("fetch", job.id, what), timeout)

    def touch(self, job: Job) -> None:
        """A page shows the job: its run may go on (see LEASE_SECONDS in ui/common/worker.py). Sends, waits for
        nothing."""
        self._let_go()
        try:
            self._send(job.worker, ("touch", job.id))
        except OSError:
            pass

    def drop(self, job_id: str) -> None:
        """Let a job go (its session ended). It may be called from inside the garbage collector, in any thread
        and while that thread holds a lock of this pool or is mid-send: it only notes the job; the next
        create, command or touch lets it go."""
        self._dropped.append(job_id)

    def _let_go(self) -> None:
        while self._dropped:
            job_id = self._dropped.popleft()
            with self._lock:
                job = self._jobs.pop(job_id, None)
                w = self._workers[job.worker] if job is not None else None
                if w is not None:
                    w.jobs -= 1
            if w is not None and w.alive:
                try:
                    self._send(job.worker, ("drop", job_id))
                except OSError:                         # the worker has gone
                    pass

    def queue(self, job: Job) -> QueueState:
        """Where ``job``'s run stands among the runs of its worker (and how busy the pool is)."""
        ws = [w for w in self._workers if w is not None]
        order = self._workers[job.worker].queue
        busy = sum(1 for w in ws if w.alive and w.queue)
        if job.id in order:
            return QueueState(True, order.index(job.id), len(order), job.worker + 1, self.size, busy)
        return QueueState(False, 0, len(order), job.worker + 1, self.size, busy)

    def stop(self) -> None:
        """End every worker (their jobs go with them)."""
        for w in self._workers:
            if w is not None and w.alive:
                w.alive = False
                w.conn.close()                          # the worker reads the end of its pipe and exits
                try:
                    w.process.wait(timeout=5) if hasattr(w.process, "wait") else w.process.join(5)
                except subprocess.TimeoutExpired:
                    w.process.terminate()


_pool_getter = None


def training_pool() -> TrainingPool:
    """The server process's pool, made once (st.cache_resource); Streamlit is imported only here, so a worker
    process that imports a page's session module never loads it."""
    global _pool_getter
    if _pool_getter is None:
        import streamlit as st
        _pool_getter = st.cache_resource(show_spinner=False)(_new_pool)
    return _pool_getter()


def _new_pool() -> TrainingPool:
    """The pool: ``TrainingPool()``, in a function of its own so Streamlit caches it once per process."""
    return TrainingPool()


def _drop(pool_ref, job_id: str) -> None:
    pool = pool_ref()
    if pool is not None:
        pool.drop(job_id)


class RunHandle:
    """A session's handle to its job: commands (``call``, ``fetch``) and ``view``, the latest published view.

    A page takes ``view`` once per script run (or fragment run) and draws from it. For reading, attributes the
    handle lacks are read from the latest view (``handle.iteration``), as tests and small checks do. A job
    whose worker stopped is made anew by the next command."""

    session_class = view_class = None

    def __init__(self, pool: TrainingPool | None = None):
        from .saving import Saving

        self.saving = Saving()                          # what the run store has of this run (ui/common/saving.py)
        pool = pool or training_pool()
        self._pool = weakref.ref(pool)                  # a weak reference: the handle holds only its own job
        self._job = pool.create(self.session_class, self.view_class)
        self._finalizer = weakref.finalize(self, _drop, self._pool, self._job.id)

    @property
    def view(self):
        return self._job.latest

    @property
    def kind(self) -> str:
        """What the run store calls this page's runs: "train", "series"."""
        return self.session_class.kind

    @property
    def lost(self) -> bool:
        """The worker holding the job stopped (the next command makes a new one)."""
        return self._job.lost

    def _live_job(self) -> Job:
        if self._job.lost:
            self._finalizer.detach()
            pool = self._pool()
            self._job = pool.create(self.session_class, self.view_class)
            self._finalizer = weakref.finalize(self, _drop, self._pool, self._job.id)
        return self._job

    def call(self, method: str, *args, timeout: float = CALL_TIMEOUT):
        return self._pool().call(self._live_job(), method, args, timeout)

    def fetch(self, what: str, timeout: float = CALL_TIMEOUT):
        return self._pool().fetch(self._live_job(), what, timeout)

    def start(self, iterations: int) -> None:
        self.call("start", iterations)

    def stop(self) -> None:
        self.call("stop")

    def mark_saved(self) -> None:
        """The download button's callback: these weights are in the learner's hands."""
        self.call("mark_saved")

    def touch(self) -> None:
        """A page of this session is open: a run going on keeps its lease (a closed tab's run stops)."""
        if not self._job.lost:
            self._pool().touch(self._job)

    @property
    def queue(self) -> QueueState:
        return self._pool().queue(self._job)

    def wait(self, until=lambda v: not v.running, timeout: float = 120.0):
        """The first view for which ``until(view)`` holds (tests, and scripts that drive a page): by default the
        run has ended. Whoever waits shows the run, so it keeps its lease. TimeoutError after ``timeout`` s."""
        job, end = self._job, time.perf_counter() + timeout
        while True:
            with job.changed:                           # (the lease is renewed outside it: a send may wait)
                job.changed.wait_for(lambda: until(job.latest), min(2.0, max(0.0, end - time.perf_counter())))
                if until(job.latest):
                    return job.latest
            if time.perf_counter() > end:
                raise TimeoutError(f"no view matched within {timeout:.0f} s")
            self.touch()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.view, name)
