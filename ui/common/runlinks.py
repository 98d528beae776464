"""The pages' side of saved runs and model links (ui/common/saving.py does the saving): the URL's ``run=`` and
``shared=``, the save status line, and the "Copy link to this trained model" box."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from . import saving, state
from .i18n import N_, _, ngettext, num
from .runfile import RunFileError, read_run
from .saving import RUN_PARAM, SHARED_PARAM, NotFound, StoreError
from .text import md_escape, shorten

POLL_SECONDS = 1.0                # the status line looks again this often while a save is due
PAGES = {"train": ("step_through", N_("Step through")), "series": ("time_series", N_("Time series"))}
LINK_PAGES = {"train": (("step_through", N_("To step through it:")), ("train", N_("To train a copy of it:"))),
              "series": (("time_series", N_("To forecast with it and train a copy of it:")),)}


def said(e: Exception) -> str:
    """An error's message in the session's language: a RunFileError made from a marked message, from it and its
    values (a page's name among them translated too); another error's text when it is a marked message (a
    StoreError of ui/common/saving.py), else as it is (the store's own, a training worker's: English)."""
    template, values = getattr(e, "template", None), getattr(e, "values", None)
    if template is not None and values:
        return _(template).format(**{k: _(v) if isinstance(v, str) else v for k, v in values.items()})
    return _(str(e))


def _note(page: str, kind: str, text: str) -> None:
    st.session_state[state.RUN_NOTE][page] = (kind, text)


def show_note(page: str) -> None:
    """What opening a link did, once (drawn under the page's title)."""
    note = st.session_state[state.RUN_NOTE].pop(page, None)
    if note:
        {"success": st.success, "info": st.info}.get(note[0], st.warning)(note[1])


def _tried(what: str, page: str, token: str) -> bool:
    """Whether this session already tried this link's id on this page (each is opened once, not every rerun)."""
    tried = st.session_state[state.RUN_LINKS_TRIED]
    key = (what, page, token)
    if key in tried:
        return True
    tried.add(key)
    return False


def restore_from_url(handle, page: str) -> dict | None:
    """A ``run=`` id in the URL that is not this page's run yet: restore it (the model, its counts, history and
    settings). Returns the job's answer (the settings for the sidebar) or None; a link that cannot be opened is
    named and the current model stays."""
    if saving.follow_takeover(handle):                 # opened elsewhere since: go on under a new id
        _note(page, "info", _("This run was opened in another tab or window, and is saved there now. What this "
                              "tab trains from here on is saved under a new address (above), so neither overwrites "
                              "the other."))
        return None
    run_id = st.query_params.get(RUN_PARAM)
    if not run_id or run_id == handle.saving.run_id or _tried("run", page, run_id):
        return None
    try:
        out = saving.open_run(handle, run_id)
    except (StoreError, RunFileError) as e:
        _note(page, "warning", _("This page's link names a saved run that cannot be opened: {error} The current "
                                 "model is kept.").format(error=md_escape(said(e))))
        return None
    v = handle.view
    _note(page, "success", ngettext("Restored the saved run: {cell}, H={H}, {n} iterations, with its run history and "
                                    "settings.", "Restored the saved run: {cell}, H={H}, {n} iterations, with its run "
                                    "history and settings.", v.iteration).format(
        cell=v.model.cell.upper(), H=v.model.hidden_size, n=num(v.iteration, ",")))
    return out


def copy_from_url(handle, page: str) -> dict | None:
    """A ``shared=`` model link of this page's kind: its run becomes this session's own copy (the original never
    changes). Returns the job's answer or None."""
    share_id = st.query_params.get(SHARED_PARAM)
    if not share_id or RUN_PARAM in st.query_params or _tried("copy", page, share_id):
        return None                                    # (a run= of its own wins: the copy was made before)
    try:
        kind, label, raw = saving.open_shared(share_id)
    except (StoreError, NotFound) as e:
        _note(page, "warning", _("{error} The current model is kept.").format(error=md_escape(said(e))))
        return None
    if kind != handle.kind:
        return None                                    # another page's model: open_shared_model says where
    try:
        out = saving.open_copy(handle, raw)
    except RunFileError as e:
        _note(page, "warning", _("That model link cannot be used: {error}. The current model is kept.").format(
            error=md_escape(said(e))))
        return None
    del st.query_params[SHARED_PARAM]                  # from now on the address names the copy (run=)
    _note(page, "success", _("Opened a model link: your own copy of {label}. Training it here changes your copy "
                             "only; it is saved under this page's new address.").format(
        label=md_escape(shorten(label, 80))))
    return out


def write_url(handle, page: str) -> None:
    """The run's id in the URL (so a refresh or this address restores it)."""
    run_id = handle.saving.run_id
    if run_id and st.query_params.get(RUN_PARAM) != run_id:
        st.query_params[RUN_PARAM] = run_id
    elif not run_id and RUN_PARAM in st.query_params:
        del st.query_params[RUN_PARAM]                 # a link that could not be opened: not this page's run


def status(handle) -> None:
    """Whether the run is saved: a line that follows the run while it trains and until its last save lands (then
    the whole page runs once more, so the leave question knows)."""
    ticking = handle.view.running or saving.pending(handle)

    @st.fragment(run_every=POLL_SECONDS if ticking else None)
    def line():
        view, s = handle.view, handle.saving
        if ticking and not view.running and not saving.pending(handle):
            st.rerun()                                  # saved (or a save failed): redraw all of it
        if s.run_id is None:
            return
        if s.error:
            st.warning(_("Not saved: {error} Download the model below to keep it; saving is tried again in a few "
                         "seconds.").format(error=md_escape(_(s.error))))
        elif view.running and s.stored_version >= 0:
            st.caption(_("Saved every {seconds} seconds while it trains (last at iteration {iteration}): this page's "
                         "address restores the last save.").format(seconds=num(saving.SAVE_EVERY, "g"),
                                                                    iteration=num(s.stored_iteration, ",")))
        elif view.running:
            st.caption(_("Saved every {seconds} seconds while it trains: this page's address restores the last "
                         "save.").format(seconds=num(saving.SAVE_EVERY, "g")))
        elif saving.saved(handle):
            st.caption(_("Saved: this page's address restores the model at iteration {iteration}, its run history and "
                         "settings (after a refresh, in a new tab, on another day).").format(
                iteration=num(view.iteration, ",")))
        else:
            st.caption(_("Saving…"))

    line()


def page_url(path: str, query: dict[str, str]) -> str:
    """This app's address for the page ``path`` (a page's url_path) with ``query``."""
    parts = urlsplit(st.context.url or "")
    base = parts.path.rsplit("/", 1)[0] if parts.path.count("/") else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{path}", urlencode(query), ""))


def share_box(handle, key: str) -> None:
    """"Copy link to this trained model": a frozen copy in the store, opened by whoever gets the link (their own
    copy, on any page); each link made is listed with its Withdraw button."""
    if saving.run_store() is None or handle.view.model is None:
        return
    box = st.container()
    box.markdown("**" + _("Copy link to this trained model") + "**")
    box.caption(_("A link to a copy of this model as it is now, with its history: whoever opens it gets their own "
                  "copy, on any page. Training on changes nothing for them, and you can withdraw the link."))
    if box.button(_("Make a link to the model as it is now"), key=key):
        try:
            saving.share(handle, PAGES[handle.kind][0])
        except (StoreError, RuntimeError, TimeoutError) as e:
            box.warning(_("No link was made: {error}").format(error=md_escape(said(e))))
    shares = handle.saving.shares
    if not shares:
        box.caption(_("No link made yet."))
    for x in reversed(shares):
        box.markdown(f"**{md_escape(x['label'])}**")
        for path, what in LINK_PAGES[handle.kind]:
            box.caption(_(what))
            box.code(page_url(path, {SHARED_PARAM: x["id"]}), language=None, wrap_lines=True)
        if box.button(_("Withdraw this link"), key=f"{state.WITHDRAW}_{x['id']}",
                      help=_("Nobody can open it from now on; copies already opened stay with whoever opened them.")):
            saving.withdraw(handle, x["id"])
            st.rerun()
    if shares and handle.kind == "train":
        box.caption(_("The same link opens the model on any page: Generate, the lessons."))


def open_shared_model() -> None:
    """On any page: a token model's link adds its copy to this session's models and picks it (Step through,
    Generate, the lessons); once per link and session."""
    share_id = st.query_params.get(SHARED_PARAM)
    opened = st.session_state[state.SHARED_OPENED]
    if not share_id or share_id in opened:
        return
    opened[share_id] = None
    try:
        kind, label, raw = saving.open_shared(share_id)
        if kind != "train":
            st.toast(_("This model link holds a model of numbers: it opens on the Time series page."))
            return
        rf = read_run(raw, "train")
    except (StoreError, NotFound, RunFileError) as e:
        st.toast(_("That model link does not open: {error}").format(error=said(e)))
        return
    from .lessons import reads_lessons
    from .models import SHARED, LoadedModel, add_upload

    name = SHARED + shorten(label, 80)
    models = st.session_state[state.MODELS]
    add_upload(models, LoadedModel(name, rf.model, rf.vocab))
    opened[share_id] = name
    st.session_state[state.MODEL] = st.session_state[state.GEN_MODEL] = name
    if reads_lessons(rf.vocab):                                       # the lessons' sentences: on their page too
        st.session_state[state.LS_MODEL] = name
    st.toast(_("Opened a model link: “{name}” is now this tab's own copy.").format(name=name))
