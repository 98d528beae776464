"""Nothing lost: Train's and Time series' runs saved in the run store (rnn_core/store.py), restored from the URL,
and frozen copies of a trained model handed out by link.

- ``run_store()``: the server process's store (st.cache_resource: infrastructure, one connection, no session's
  data), or None when it is off or cannot be opened (then nothing is saved and the leave question stays).
- A page's ``RunHandle`` carries a ``Saving``: the run's id in the store (also in the page's URL as ``run=``),
  this session's writer id, and what was last saved. ``begin`` gives it an id when the learner first trains.
- The ``Saver``, one thread per server process, saves a run when its weights changed: at once when a run ends,
  every SAVE_EVERY seconds while it goes on. It asks the run's worker for a checkpoint (the run file, built
  between two iterations: ``LiveRun.checkpoint``) and writes it, off the script thread: a click never waits for
  a save.
- ``open_run_link``: a URL's ``run=`` id is restored into the page's job (a refresh, a new tab, another process
  behind the proxy, a restarted server); this session writes it from then on (a tab that had it before sees
  its next save refused and goes on under a new id).
- ``share`` / ``withdraw`` / ``open_shared``: a model link (``shared=``) is a frozen copy; whoever opens it gets
  their own copy on any page; its owner withdraws it.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass, field

from rnn_core.store import NotFound, Store, StoreError, Superseded, new_id

from .runfile import N_, RunFileError

SAVE_EVERY = 5.0            # seconds between saves of a run that goes on (a run's end is saved at once)
RETRY_EVERY = 15.0          # after a failed save (a full disk), the next try
POLL = 0.5                  # how often the saver looks for runs to save
RUN_PARAM, SHARED_PARAM = "run", "shared"
_log = logging.getLogger(__name__)


@dataclass
class Saving:
    """What a page's run has in the store: ``run_id`` (None until it is worth saving), this session's
    ``writer`` id, the weights ``version`` last saved, when, and why the last save failed (if it did)."""

    run_id: str | None = None
    writer: str = field(default_factory=new_id)
    stored_version: int = -1
    stored_at: float = 0.0
    stored_iteration: int = 0
    stored_running: bool = False                      # saved during a run: its end (history, snapshots) is still due
    error: str | None = None
    retry_at: float = 0.0
    superseded: bool = False
    moved_from: str | None = None                     # the id before a takeover elsewhere made this run a new one
    shares: list = field(default_factory=list)        # [{"id", "label", "page"}] model links made from this run


_store_getter = None


def run_store() -> Store | None:
    """The server process's run store (made once), or None when it is turned off or cannot be opened."""
    global _store_getter
    if _store_getter is None:
        import streamlit as st
        _store_getter = st.cache_resource(show_spinner=False)(_open_store)
    return _store_getter()


def _open_store() -> Store | None:
    try:
        store = Store()
    except (StoreError, ValueError) as e:
        _log.warning("The run store is not used: %s", e)
        return None
    Saver.start(store)
    return store


class Saver:
    """The thread that saves the runs of every session of this process (see the module's docstring)."""

    _instance: "Saver | None" = None

    def __init__(self, store: Store):
        self.store = store
        self._runs: weakref.WeakSet = weakref.WeakSet()
        self._wake = threading.Event()
        threading.Thread(target=self._loop, daemon=True, name="run-saver").start()

    @classmethod
    def start(cls, store: Store) -> "Saver":
        if cls._instance is None or cls._instance.store is not store:
            cls._instance = cls(store)
        return cls._instance

    @classmethod
    def watch(cls, handle) -> None:
        """Save ``handle``'s run from now on (and look at it at once)."""
        if cls._instance is not None:
            cls._instance._runs.add(handle)
            cls._instance._wake.set()

    def _loop(self) -> None:
        while True:
            self._wake.wait(POLL)
            self._wake.clear()
            for handle in list(self._runs):
                try:
                    self.save_if_due(handle)
                except Exception:                              # one run's trouble never stops the others' saves
                    _log.exception("saving a run failed")

    def save_if_due(self, handle, now: float | None = None) -> bool:
        """Save ``handle``'s run if its weights changed since the last save and it is time; True if it saved."""
        s: Saving = handle.saving
        now = time.monotonic() if now is None else now
        view = handle.view
        if s.run_id is None or s.superseded or view.model is None:
            return False
        if view.version == s.stored_version and not (s.stored_running and not view.running):
            return False                                       # a Stop between two iterations keeps the version
        if view.error or handle.lost:                          # the worker stopped: nothing left to save
            return False
        if now < s.retry_at or (view.running and now - s.stored_at < SAVE_EVERY):
            return False
        try:
            version, summary, raw = handle.fetch("checkpoint", timeout=120)
            self.store.save_run(s.run_id, s.writer, handle.kind, {**summary, "shares": s.shares}, raw)
        except Superseded:
            s.superseded = True
            return False
        except StoreError as e:
            s.error, s.retry_at = str(e), now + RETRY_EVERY
            return False
        except (RuntimeError, TimeoutError, OSError, ValueError):
            s.retry_at = now + RETRY_EVERY                     # the worker is gone or busy: the next look tries again
            return False
        s.stored_version, s.stored_at, s.stored_iteration, s.error = version, now, summary["iteration"], None
        s.stored_running = bool(summary.get("running"))
        return True


def begin(handle) -> None:
    """The learner trains (or loads a model to train): from now on the run is saved, under a new id."""
    s: Saving = handle.saving
    if s.run_id is None and run_store() is not None:
        s.run_id = new_id()
    Saver.watch(handle)


def follow_takeover(handle) -> bool:
    """If another tab or process opened this run since, go on under a new id (nothing is overwritten either way);
    True if it did. Called on every rerun of the page, before its URL is written."""
    s: Saving = handle.saving
    if not s.superseded:
        return False
    s.moved_from, s.run_id, s.writer = s.run_id, new_id(), new_id()
    s.superseded, s.stored_version, s.shares = False, -1, []
    Saver.watch(handle)
    return True


def saved(handle) -> bool:
    """The run's weights as they are now are in the store (a refresh restores them)."""
    s: Saving = handle.saving
    view = handle.view
    return (s.run_id is not None and not s.superseded and not view.running and s.error is None
            and s.stored_version == view.version and not s.stored_running)


def pending(handle) -> bool:
    """A save is due or under way (nothing failed): the page polls until it is done."""
    s: Saving = handle.saving
    view = handle.view
    return (s.run_id is not None and not s.superseded and s.error is None and not view.running
            and view.model is not None and (s.stored_version != view.version or s.stored_running))


def open_run(handle, run_id: str) -> dict:
    """Restore the stored run ``run_id`` into ``handle``'s job; this session writes it from now on. Returns the
    job's ``restore`` answer (the settings to show). StoreError / RunFileError (the current run stays)."""
    store = run_store()
    if store is None:
        raise StoreError(N_("Runs are not saved on this server, so a run link cannot be opened here."))
    record = store.open_run(run_id)
    if record.kind != handle.kind:
        pages = {"train": N_("Train"), "series": N_("Time series")}
        raise RunFileError(N_("it is a run of the {page} page: open it there"),
                           page=pages.get(record.kind, record.kind))
    out = handle.restore(record.state)
    s: Saving = handle.saving
    store.claim_run(run_id, s.writer)                         # this session holds it now (a few bytes' write)
    s.run_id, s.superseded, s.error, s.moved_from, s.stored_running = run_id, False, None, None, False
    s.stored_version, s.stored_iteration, s.stored_at = handle.view.version, handle.view.iteration, time.monotonic()
    s.shares = list(record.summary.get("shares", []))
    Saver.watch(handle)
    return out


def open_copy(handle, state: bytes) -> dict:
    """A model link's run restored into ``handle``'s job as the learner's own copy, saved under a new id."""
    out = handle.restore(state)
    s: Saving = handle.saving
    s.run_id, s.writer, s.stored_version, s.superseded, s.error, s.shares = None, new_id(), -1, False, None, []
    begin(handle)
    return out


def share(handle, page: str) -> str:
    """A model link to the run as it is now (a frozen copy in the store); returns its id."""
    store = run_store()
    if store is None:
        raise StoreError(N_("Runs are not saved on this server, so no model link can be made."))
    begin(handle)
    _, summary, raw = handle.fetch("checkpoint", timeout=120)
    share_id = store.share(handle.saving.run_id, handle.kind, summary["label"], raw)
    handle.saving.shares.append({"id": share_id, "label": summary["label"], "page": page})
    return share_id


def withdraw(handle, share_id: str) -> bool:
    store = run_store()
    ok = store is not None and store.withdraw(share_id, handle.saving.run_id)
    handle.saving.shares = [x for x in handle.saving.shares if x["id"] != share_id]
    return ok


def open_shared(share_id: str):
    """A model link's frozen run: (kind, label, run file bytes). NotFound when withdrawn, expired or mistyped."""
    store = run_store()
    if store is None:
        raise StoreError(N_("Runs are not saved on this server, so a model link cannot be opened here."))
    shared = store.open_share(share_id)
    return shared.kind, shared.label, shared.state


__all__ = ["NotFound", "RUN_PARAM", "SHARED_PARAM", "Saver", "Saving", "StoreError", "begin", "follow_takeover",
           "open_copy", "open_run", "open_shared", "pending", "run_store", "saved", "share", "withdraw"]
