"""Every st.session_state key the app uses, initialised in one place; URL <-> state sync."""
from __future__ import annotations

import streamlit as st

from rnn_core._checks import number_from_text
from rnn_core.cuisine import PROMPT
from rnn_core.tasks import experiment_settings

from .config import SeriesConfig, TrainConfig
from .text import shorten, validate_sentence

# ----- keys: every st.session_state key the app uses is spelled here and nowhere else -------------------
# shared
MODELS = "models"              # dict name -> LoadedModel, this session's models
URL_WRITTEN = "url_written"    # the query parameters Step through last wrote (others come from a link)
LINKS_WRITTEN = "links_written"  # page -> the query parameters that page last wrote (Train, Gradient lab, Time series)
LINK_PROBLEMS = "link_problems"  # what the last link carried that could not be used
PRESENT = "present"            # presenter mode (?present=1): no sidebar, type and chart text for a room
LANG = "lang"                  # the session's language (ui/common/i18n.py): en, da, de, fr, ru, zh
LANG_PICK = "lang_pick"        # the sidebar's language picker
GLOSSARY_FIND = "glossary_find"  # the glossary's filter box
LANG_DEFAULTS = "lang_defaults"  # the language whose sentence and demo model the defaults now are

# Home
HOME_SENTENCE = "home_sentence"
HOME_SHOWN = "home_shown"      # the last sentence Home's chart could show
HOME_ERROR = "home_error"
CHART_HOME_NEXT = "home_next_token"

# Step through
MODEL = "model_name"           # the model Step through shows
SENTENCE = "sentence"          # the last good sentence (what the page shows)
SENTENCE_INPUT = "sentence_input"
SENTENCE_ERROR = "sentence_error"
STEP = "step"                  # 1-based time step
VIEW = "view"                  # "Forward" | "Backward"
UNIT = "unit"                  # the hidden unit written out term by term
NEXT_SCALE = "next_scale"      # the next-token bars: "probability" or "log-probability"
PLAYING = "playing"
TARGET = "target_word"         # Backward view: the word whose loss flows back
LOSS_SHAPE = "loss_shape"      # Backward view: "many_to_one" | "many_to_many"
SGD_LR = "sgd_lr"              # Backward view: the learning rate of "Apply one SGD step"
SGD_MODELS = "sgd_models"      # model name -> (LoadedModel after the steps, how many, p(target) before them)
SGD_LAST = "sgd_last"          # what the last step did, for the table (None before any)
SGD_TARGET = "sgd_target"      # Backward view: the word "Apply one SGD step" steps toward
SGD_RERUN = "sgd_rerun"        # a step or an Undo asks for one whole-page rerun
PROBE_POS = "probe_position"
PROBE_WORD = "probe_word"
UPLOAD_ERROR = "upload_error"
UPLOAD_NOTE = "upload_note"    # which older uploads were let go to keep the uploads within their budget
MODEL_UPLOAD = "model_upload"
VOCAB_UPLOAD = "vocab_upload"  # the vocabulary (.json) of a .safetensors model from PyTorch
NO_RECURRENCE = "no_recurrence"   # Step through shows the model with W_hh = 0
TOKEN_PILLS = "token_pills"
NOTATION_OPEN = "notation_open"   # the other-notations expander is open (its content is built only then)
TERMS_OPEN = "terms_open"         # the recurrent-sum table's expander is open (likewise)
CACHE = "analysis_cache"       # small per-session cache of analyses
CHART_PIECES = "pieces"        # clickable charts: their selection is session state too
CHART_HIDDEN = "hidden"
CHART_NEXT = "next_token"
CHART_PCA = "pca"
CHART_UNROLLED = "unrolled"
CHART_GATES = "gates"
CHART_BACKWARD = "backward"
CHART_GRAD_NORM = "grad_norm"
CHART_PROBE = "probe"
CHART_LOSS_STEPS = "loss_steps"
CHART_W_HH_TERMS = "w_hh_terms"

# Train: the sidebar's widgets, one per TrainConfig field
TRAIN_FIELDS = {"tr_source": "source", "tr_level": "level", "tr_gap": "gap", "tr_cell": "cell", "tr_hidden": "hidden",
                "tr_activation": "activation", "tr_lr": "lr", "tr_optimizer": "optimizer", "tr_clip": "clip",
                "tr_k": "seq_len", "tr_batch": "batch", "tr_rho": "spectral_radius", "tr_iterations": "iterations",
                "tr_seed": "seed", "tr_loss_shape": "loss"}
TR_SOURCE, TR_LEVEL, TR_GAP, TR_CELL, TR_HIDDEN, TR_ACTIVATION, TR_LR, TR_OPTIMIZER, TR_CLIP, TR_K, TR_BATCH, \
    TR_RHO, TR_ITERATIONS, TR_SEED, TR_LOSS = TRAIN_FIELDS
TR_TEXT = "tr_text"            # pasted text
TR_FILE = "tr_file"            # uploaded .txt
TR_UPLOAD = "tr_upload"        # "Continue from a saved model"
TR_UPLOAD_DESK = "tr_upload_desk"    # the last model file handled and what is left to apply (ui/common/uploads.py)
TR_UPLOAD_RESULT = "tr_upload_result"   # ("success" | "error", message) of the last such upload
TR_REPLAY = "tr_replay"
TR_REPLAY_CHOSEN = "tr_replay_chosen"  # the learner moved the replay slider (else: the latest snapshot)
TR_RUNS = "tr_runs"
TR_RUNS_CHOSEN = "tr_runs_chosen"      # the learner picked runs to overlay (else: the last three)
TR_DL_MODEL = "tr_dl_model"
TR_DL_CSV = "tr_dl_csv"
TR_DL_TORCH = "tr_dl_torch"            # the model for PyTorch (.zip)
TR_DL_SAFETENSORS = "tr_dl_safetensors"
TRAIN_SESSION = "train_session"
TRAIN_DATA_CACHE = "train_data_cache"
CHART_TR_LOSS = "tr_loss"
CHART_TR_STEPS = "tr_steps"
CHART_TR_HEAT = "tr_heat"
CHART_TR_GLOBAL = "tr_global"
CHART_TR_HIST_PRED = "tr_hist_pred"
CHART_TR_HIST_PCA = "tr_hist_pca"
CHART_TR_RUNS = "tr_runs_fig"
CHART_TR_LOSS_STEPS = "tr_loss_steps"
CHART_TR_LAST = "tr_last_step"
CHART_TR_LAST_HEAT = "tr_last_heat"
CHART_TR_W_HH = "tr_w_hh_terms"

# Generate
GEN_MODEL, GEN_PROMPT, GEN_N = "gen_model", "gen_prompt", "gen_tokens"
GEN_STRATEGY, GEN_TEMPERATURE, GEN_TOP_K, GEN_SEED = "gen_strategy", "gen_temperature", "gen_top_k", "gen_seed"
GEN_PICK = "gen_pick"          # the generated token whose distribution is shown
CHART_GEN_DIST = "gen_distribution"
GEN_DL_TEXT = "gen_dl_text"    # the prompt and the generated text (.txt)

# Gradient lab
LAB_RHO, LAB_ACT, LAB_T = "lab_rho", "lab_act", "lab_T"
LAB_JAC_FB, LAB_JAC_UB = "lab_jac_forget_bias", "lab_jac_update_bias"   # the first chart's gate biases
LAB_CLIP_LR, LAB_CLIP, LAB_CLIP_RHO = "lab_clip_lr", "lab_clip", "lab_clip_rho"
LAB_CELLS, LAB_BUDGET, LAB_FB = "lab_cells", "lab_budget", "lab_fb"
LAB_TASK = "lab_task"
LAB_UB = "lab_update_bias"             # the lag sweep's GRU update-gate bias
LAB_SENTENCE, LAB_CURSOR = "lab_sentence", "lab_cursor"
LAB_CURSOR_N = "lab_cursor_tokens"     # the sentence length the cursor was placed for
LAB_SWEEP = "lab_sweep_result"
CHART_LAB_JAC, CHART_LAB_EIGS, CHART_LAB_CLIP = "lab_jac", "lab_eigs", "lab_clip_fig"
CHART_LAB_SWEEP, CHART_LAB_SIDE = "lab_sweep", "lab_side"

# Lessons
LESSON = "lesson"                      # the slug of the lesson on screen
LESSON_RECORD = "lesson_record"        # the learner's Record (ui/lessons/record.py): answers, kept for the session
LESSON_VERDICT = "lesson_verdict"      # slug -> the last answer's verdict (right, message), shown under the question
LESSON_NAME = "lesson_name"            # the name on the record a learner downloads
LESSON_HAND_IN = "lesson_hand_in"      # the button that hands the record in to the class this session joined
LESSON_HANDED = "lesson_handed"        # (handed in?, what the last hand-in said), shown under its button
LS_MODEL, LS_DISH, LS_STEP, LS_UNIT = "ls_model", "ls_dish", "ls_step", "ls_unit"
LS_SOFTMAX_STEP, LS_GATE_STEP = "ls_softmax_step", "ls_gate_step"
LS_RHO, LS_FB, LS_UB, LS_K = "ls_rho", "ls_forget_bias", "ls_update_bias", "ls_truncation"
CHART_LESSON, CHART_LS_AFTER = "lesson_fig", "lesson_after_fig"
LESSON_PREVIOUS, LESSON_NEXT = "lesson_previous", "lesson_next"     # the Previous / Next lesson buttons
SHORTCUTS = "shortcuts"                # single-letter keyboard shortcuts (J, K, L) on; a learner may turn them off


def lesson_answer_key(slug: str) -> str:
    """The answer widget of one lesson's question (each lesson keeps its own answer)."""
    return f"ls_answer_{slug}"


def lesson_form_key(slug: str) -> str:
    return f"ls_form_{slug}"


# Time series: the sidebar's widgets, one per SeriesConfig field
SERIES_FIELDS = {"ts_source": "source", "ts_column": "column", "ts_window": "window", "ts_horizon": "horizon",
                 "ts_cell": "cell", "ts_hidden": "hidden", "ts_activation": "activation", "ts_lr": "lr",
                 "ts_optimizer": "optimizer", "ts_clip": "clip", "ts_batch": "batch", "ts_rho": "spectral_radius",
                 "ts_iterations": "iterations", "ts_seed": "seed"}
TS_SOURCE, TS_COLUMN, TS_WINDOW, TS_HORIZON, TS_CELL, TS_HIDDEN, TS_ACTIVATION, TS_LR, TS_OPTIMIZER, TS_CLIP, \
    TS_BATCH, TS_RHO, TS_ITERATIONS, TS_SEED = SERIES_FIELDS
TS_FILE = "ts_file"                    # the uploaded CSV
TS_CSV = "ts_csv"                      # what was read from it: {"name", "digest", "columns"} (None before one)
TS_FILE_DESK = "ts_file_desk"          # the last CSV handled and what is left to apply (ui/common/uploads.py)
TS_CSV_ERROR = "ts_csv_error"          # why the last uploaded CSV could not be read (None if it could)
TS_SESSION = "ts_session"              # this browser session's SeriesSession
TS_DATA_CACHE = "ts_data_cache"        # the series for the current settings
TS_FROM = "ts_forecast_from"           # where the forecast starts (None: the start of the held-out part)
TS_FROM_N = "ts_forecast_from_n"       # the series length TS_FROM was placed for
TS_STEP = "ts_step"                    # the step shown in the step-through of the forecast's context window
TS_UNIT = "ts_unit"                    # the hidden unit written out in the formula
TS_DL_MODEL = "ts_dl_model"
TS_DL_TORCH = "ts_dl_torch"
TS_DL_SAFETENSORS = "ts_dl_safetensors"
TS_DL_FORECAST = "ts_dl_forecast"      # the forecast beside the truth (CSV)
CHART_TS_PRED, CHART_TS_FORECAST, CHART_TS_HIDDEN = "ts_pred_fig", "ts_forecast_fig", "ts_hidden_fig"
CHART_TS_LOSS, CHART_TS_STEPS, CHART_TS_WINDOW = "ts_loss_fig", "ts_steps_fig", "ts_window_fig"

CHART_IMAGE = "chart_image"            # what every chart's camera button saves: "png" | "svg" (sidebar, every page)

# saved runs and model links (ui/common/runlinks.py)
RUN_NOTE = "run_note"                  # page -> ("success" | "warning", what opening a run or model link did)
RUN_LINKS_TRIED = "run_links_tried"    # the run= and shared= ids this session already tried (each once)
SHARED_OPENED = "shared_opened"        # share id -> the model name it was added under (Step through, Generate ...)
TR_SHARE, TS_SHARE = "tr_share", "ts_share"    # "Make a link to this trained model" (Train, Time series)
WITHDRAW = "withdraw_link"             # the prefix of each model link's Withdraw button

# the class board (ui/board)
CLASS_MEMBER = "class_member"          # this session's membership id (a student), or None
CLASS_SECRET = "class_secret"          # this session's board secret (an instructor), or None
CLASS_NAME_INPUT, CLASS_CODE_INPUT, CLASS_NICK_INPUT = "class_name_input", "class_code_input", "class_nick_input"
CLASS_NOTE = "class_note"              # ("success" | "warning" | "error", what the last action did)
CLASS_HAND_RUN, CLASS_HAND_SERIES = "class_hand_run", "class_hand_series"
CLASS_DL_RUNS, CLASS_DL_CURVES, CLASS_DL_LESSONS = "class_dl_runs", "class_dl_curves", "class_dl_lessons"
CHART_CLASS_CURVES = "class_curves"
CLASS_FORM_CREATE, CLASS_FORM_JOIN = "class_form_create", "class_form_join"
CLASS_CREATE, CLASS_JOIN, CLASS_LEAVE = "class_create", "class_join", "class_leave"


def csv_key(chart_key: str) -> str:
    """The key of a chart's "Data (CSV)" download, made from the chart's own key (ui.common.charts.show)."""
    return f"{chart_key}__csv"


# every keyed widget keeps its value while it is not drawn (another view, another page)
KEEP = {"persist_state": "session"}

VIEWS = ("Forward", "Backward")
DEFAULT_MODEL = "Demo RNN"

LAB_DEFAULT_TASK = "cuisine"          # the lag sweep opens on the seeds' sentence with filler words
_SWEEP = experiment_settings(LAB_DEFAULT_TASK)
_TRAIN = TrainConfig()
_SERIES = SeriesConfig()
DEFAULTS = {
    SENTENCE: PROMPT, SENTENCE_INPUT: PROMPT, SENTENCE_ERROR: None, STEP: 1, VIEW: "Forward", UNIT: 0,
    NEXT_SCALE: "probability",
    PLAYING: False, NO_RECURRENCE: False, TARGET: None, LOSS_SHAPE: "many_to_one", SGD_LR: 0.02, SGD_LAST: None,
    SGD_TARGET: None, SGD_RERUN: False,
    PROBE_POS: None, PROBE_WORD: None, UPLOAD_ERROR: None, UPLOAD_NOTE: None, MODEL: DEFAULT_MODEL,
    HOME_SENTENCE: PROMPT, HOME_SHOWN: PROMPT, HOME_ERROR: None,
    **{key: getattr(_TRAIN, name) for key, name in TRAIN_FIELDS.items()}, TR_TEXT: "", TR_UPLOAD_RESULT: None,
    GEN_MODEL: DEFAULT_MODEL, GEN_PROMPT: "My favourite dish is", GEN_N: 20, GEN_STRATEGY: "sample",
    GEN_TEMPERATURE: 1.0, GEN_TOP_K: 0, GEN_SEED: 0, GEN_PICK: 0, CHART_IMAGE: "png",
    LAB_RHO: 0.9, LAB_ACT: "tanh", LAB_T: 40, LAB_JAC_FB: _SWEEP["forget_bias"], LAB_JAC_UB: _SWEEP["update_bias"],
    LAB_CLIP_LR: 2.0, LAB_CLIP: 1.0, LAB_CLIP_RHO: 1.0,
    LAB_CELLS: ["rnn", "lstm", "gru"], LAB_TASK: LAB_DEFAULT_TASK, LAB_BUDGET: _SWEEP["budget"],
    LAB_FB: _SWEEP["forget_bias"], LAB_UB: _SWEEP["update_bias"], LAB_SENTENCE: PROMPT,
    LAB_CURSOR: None, LAB_CURSOR_N: 0,
    LAB_SWEEP: None,
    **{key: getattr(_SERIES, name) for key, name in SERIES_FIELDS.items()},
    LINK_PROBLEMS: [], PRESENT: False, SHORTCUTS: True, CLASS_MEMBER: None, CLASS_SECRET: None, CLASS_NOTE: None,
    LESSON_HANDED: None, GLOSSARY_FIND: "",
    LESSON: "memory", LESSON_NAME: "", LS_MODEL: "Demo RNN", LS_DISH: "pizza", LS_STEP: 5, LS_UNIT: 0,
    LS_SOFTMAX_STEP: None, LS_GATE_STEP: 6, LS_RHO: 0.7, LS_FB: 5.0, LS_UB: 5.0, LS_K: 5,
    TS_FROM: None, TS_FROM_N: 0, TS_STEP: 1, TS_UNIT: 0, TS_CSV: None, TS_CSV_ERROR: None,
}


def _run_inside_the_app() -> None:
    """A fresh server's first request for a page (a shared link) runs that page file alone, with a menu
    made from the file names: Streamlit's older mode for apps with a ``pages/`` folder, which lasts
    until ``st.navigation`` is first called. Leave that mode and run again, through app.py."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False     # what st.navigation itself sets
        st.rerun()


def init_page() -> None:
    """What every page file calls first: run inside app.py's navigation, with every key set.

    Only a session's first run can be a fresh server's page run alone (nobody has called
    st.navigation yet), and a first run has no click that a rerun could lose.
    """
    if MODELS not in st.session_state:
        _run_inside_the_app()
    init()
    from .runlinks import open_shared_model

    open_shared_model()                        # a model link (?shared=) adds its copy to this session's models
    train = st.session_state.get(TRAIN_SESSION)
    if train is not None:                      # the Train job's latest weights (a copy) on every page that shows it
        train.publish(st.session_state[MODELS])


def init() -> None:
    """Set every key to its default once per session; each session gets its own demo models."""
    for k, v in DEFAULTS.items():
        if k not in st.session_state:
            st.session_state[k] = list(v) if isinstance(v, list) else v
    if CACHE not in st.session_state:
        st.session_state[CACHE] = {}
        st.session_state[SGD_MODELS] = {}
        st.session_state[TRAIN_DATA_CACHE] = {}
        st.session_state[TS_DATA_CACHE] = {}
        st.session_state[LINKS_WRITTEN] = {}
        st.session_state[RUN_NOTE] = {}
        st.session_state[RUN_LINKS_TRIED] = set()
        st.session_state[SHARED_OPENED] = {}
        st.session_state[LESSON_VERDICT] = {}
    if MODELS not in st.session_state:
        from .models import demo_models
        st.session_state[MODELS] = demo_models()


def demo_model(lang: str) -> str:
    """The demo RNN trained on ``lang``'s cuisine corpus (ui/common/models.py loads one per language)."""
    from .i18n import LANGUAGES
    return DEFAULT_MODEL if lang == "en" else f"{DEFAULT_MODEL} ({LANGUAGES[lang]})"


def language_defaults(lang: str) -> dict:
    """The values that are ``lang``'s own: its sushi sentence (Step through, Home), its demo model (Step through,
    Generate, the lessons), its prompt for Generate, and the dish the memory probe swaps in."""
    from rnn_core.cuisines import PROBE_DISHES, PROMPTS
    prompt, demo = PROMPTS[lang], demo_model(lang)
    dish, probe_dish, _ = PROBE_DISHES[lang]
    return {SENTENCE: prompt, SENTENCE_INPUT: prompt, HOME_SENTENCE: prompt, HOME_SHOWN: prompt, MODEL: demo,
            GEN_MODEL: demo, GEN_PROMPT: prompt[:prompt.index(dish)].rstrip(), LS_MODEL: demo,
            LS_DISH: probe_dish.lower()}


def formatted_widgets() -> list[str]:
    """The keys of every widget whose options are shown through a translated label (or a number written the
    language's way): Streamlit keeps such a widget's value as its shown label, so a new language must restate the
    values before the widgets are drawn in it (else the old label comes back as the value)."""
    from .lessons import LESSONS
    return [CHART_IMAGE, VIEW, NEXT_SCALE, LOSS_SHAPE, PROBE_POS, TR_SOURCE, TR_LEVEL, TR_LOSS, TR_LR, TR_CLIP,
            TS_SOURCE, TS_LR, TS_CLIP, GEN_STRATEGY, LAB_TASK, LAB_FB, LAB_UB, LAB_JAC_FB, LAB_JAC_UB, LS_RHO, LS_FB,
            LS_UB, *(lesson_answer_key(lesson.slug) for lesson in LESSONS)]


def restate_formatted_widgets() -> None:
    """Write back each formatted widget's value as it is now (read with the labels it was drawn with)."""
    for key in formatted_widgets():
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def follow_language(lang: str) -> None:
    """A new language brings its sentence and demo model wherever the page still shows the old language's
    defaults; whatever the learner chose or typed stays."""
    old = st.session_state.get(LANG_DEFAULTS, "en")
    if old == lang:
        return
    before, after = language_defaults(old), language_defaults(lang)
    for key, value in after.items():
        if st.session_state.get(key) == before[key]:
            st.session_state[key] = value
    if st.session_state.get(SENTENCE) != before[SENTENCE]:
        st.session_state[PROBE_POS] = None           # the probe finds the new sentence's dish (settle)
    st.session_state[LANG_DEFAULTS] = lang


def clamp_step(T: int) -> int:
    """The one place the time step is brought into 1..T (after a new sentence, view or model)."""
    st.session_state[STEP] = min(max(1, int(st.session_state[STEP])), T)
    return st.session_state[STEP]


URL_KEYS = ("sentence", "step", "model", "view", "loss")


def read_url() -> None:
    """Apply ?sentence=..&step=..&model=..&view=..&loss=.. when they are not what Step through last wrote
    there: a shared link, a lesson link from Home, or a URL edited by hand. A value that cannot be used is
    named in LINK_PROBLEMS (the page shows them) and the current one stays."""
    qp = {k: st.query_params[k] for k in URL_KEYS if k in st.query_params}
    if not qp or qp == st.session_state.get(URL_WRITTEN):
        return
    from .i18n import _, ngettext
    from .links import known_model                   # links imports this module

    problems = []
    said = lambda name, why: problems.append(f"{name}={shorten(qp[name], 30)} ({why})")   # noqa: E731
    if "model" in qp:
        try:
            st.session_state[MODEL] = known_model(qp["model"])
        except ValueError as e:
            said("model", e)
    if "sentence" in qp:
        if qp["sentence"].strip():
            text = qp["sentence"]
            st.session_state[SENTENCE_INPUT] = text
            error = validate_sentence(text, st.session_state[MODELS][st.session_state[MODEL]])
            st.session_state[SENTENCE_ERROR] = error and _("The link's sentence cannot be read: {error}").format(
                error=error)
            if error is None:
                st.session_state[SENTENCE] = text
        else:
            said("sentence", _("empty"))
    for name, key, options in (("view", VIEW, VIEWS), ("loss", LOSS_SHAPE, ("many_to_one", "many_to_many"))):
        if name in qp:
            if qp[name] in options:
                st.session_state[key] = qp[name]
            else:
                said(name, _("not one of {options}").format(options=", ".join(options)))
    if "step" in qp:
        entry = st.session_state[MODELS][st.session_state[MODEL]]
        T = len(entry.vocab.tokenize(st.session_state[SENTENCE]))
        try:
            step = number_from_text(qp["step"], whole=True)
            if not (isinstance(step, int) and 1 <= step <= T):
                raise ValueError(ngettext("not within 1 to {T}: the sentence has {T} token",
                                          "not within 1 to {T}: the sentence has {T} tokens", T).format(T=T))
            st.session_state[STEP] = step
        except ValueError as e:
            said("step", e)
    st.session_state[LINK_PROBLEMS] = problems


def write_url() -> dict[str, str]:
    """Mirror the Step through screen into the URL, so a link reproduces it; returns what it wrote."""
    want = {"sentence": st.session_state[SENTENCE], "step": str(st.session_state[STEP]),
            "model": st.session_state[MODEL], "view": st.session_state[VIEW], "loss": st.session_state[LOSS_SHAPE]}
    st.session_state[URL_WRITTEN] = want
    if {k: st.query_params.get(k) for k in want} != want:
        st.query_params.update(want)
    return want
