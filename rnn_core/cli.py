"""Command line: ``python -m rnn_core train | complete | gradcheck | memory | info | export | make-corpus | prune``."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import __version__
from ._alloc import keep_freed_memory
from ._checks import number_from_text
from .cells import CELLS, MAX_SEED, make_model
from .cuisines import LANGS, make_corpus
from .data import TokenStream, read_text_file
from .gradcheck import check_all
from .export import load_any, save_torch, to_safetensors
from .io import ModelFileError, load_model, save_model
from .optim import OPTIMIZERS
from .resources import CHECKOUT_ASSETS, in_checkout
from .rnn import ACTIVATIONS
from .sampling import complete
from .tasks import EXPERIMENT, TASK_LR, TASK_SETTINGS, TASKS, experiment_settings, make_task, memory_experiment
from .train import Trainer, available_bytes, estimate_bytes
from .vocab import LEVELS, Vocab

# the defaults train the cuisine corpus to complete the sushi sentence with "japanese"
MIN_TEMPERATURE = 0.01      # below it the softmax is the greedy choice anyway (and 5e-324 overflows logits / T)
DEFAULTS = dict(cell="rnn", hidden=128, activation="tanh", level="word", steps=2000, lr=0.005,
                optimizer="adam", clip=5.0, seq_len=25, batch=32, seed=0, dtype="float32")


class UsageError(Exception):
    """Bad arguments: reported in one line, exit status 2."""


class _Formatter(argparse.HelpFormatter):
    """--help shows every option's default (argparse's own formatter skips options without a help text)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.option_strings and not any(action.default is v for v in (None, False, argparse.SUPPRESS)) \
                and "%(default)" not in text and not isinstance(action, argparse._VersionAction):
            default = action.default
            shown = ",".join(map(str, default)) if isinstance(default, list) else "%(default)s"
            text += f" (default: {shown})"
        return text


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):  # one line on stderr, exit 2 (argparse would also print the usage)
        raise UsageError(message)


# numbers are read as the app reads them in links (rnn_core._checks.number_from_text): "1e5" is 100000;
# "5_000" and other scripts' digits are refused
def _positive_int(lo: int, hi: int):
    def parse(s: str) -> int:
        try:
            v = number_from_text(s, whole=True)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{s!r} is not a whole number") from None
        if not (isinstance(v, int) and lo <= v <= hi):
            raise argparse.ArgumentTypeError(f"{s} is outside {lo}..{hi}")
        return v
    return parse


def _float(lo: float, hi: float, lo_open: bool = False):
    def parse(s: str) -> float:
        try:
            v = float(number_from_text(s))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{s!r} is not a number") from None
        if not math.isfinite(v) or v < lo or v > hi or (lo_open and v == lo):
            raise argparse.ArgumentTypeError(f"{s} is outside {'(' if lo_open else '['}{lo}, {hi}]")
        return v
    return parse


def _int_list(s: str) -> list[int]:
    try:
        vals = [int(v) for v in s.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a comma-separated list of whole numbers") from None
    if not vals or min(vals) < 0 or max(vals) > 10_000:
        raise argparse.ArgumentTypeError(f"{s!r}: give numbers in 0..10000")
    return vals


def _choices_list(choices):
    def parse(s: str) -> list[str]:
        vals = [v.strip() for v in s.split(",") if v.strip()]
        bad = [v for v in vals if v not in choices]
        if not vals or bad:
            raise argparse.ArgumentTypeError(f"{s!r}: choose from {', '.join(choices)}")
        return vals
    return parse


class _Given(argparse.Action):
    """Stores the value like the default action and notes that the flag was given (``namespace.given``), so
    a flag that does not apply to this run can be refused by name instead of ignored."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.given = {*getattr(namespace, "given", ()), self.option_strings[0]}


def _refuse_unused(a, rules) -> None:
    """``rules``: (flag, applies, where it applies); a given flag that does not apply is a usage error."""
    given = getattr(a, "given", set())
    for flag, applies, where in rules:
        if flag in given and not applies:
            raise UsageError(f"argument {flag}: applies only {where}")


def _check_out(out: str) -> None:
    """Refuse, before any training, an --out that cannot be written (so a run is never lost at the save)."""
    p = Path(out)
    if p.is_dir():
        raise UsageError(f"argument --out: {out} is a folder; give a file name, such as {p / 'model.npz'}")
    folder = p.parent
    if not folder.is_dir():
        raise UsageError(f"argument --out: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise UsageError(f"argument --out: {out} cannot be written (no permission)")


def _corpus_out(lang: str = "en") -> str:
    """make-corpus's default: the checkout's copy (it rewrites it identically), or cuisine.txt (cuisine_fr.txt
    ...) in the current folder when rnn_core is an installed package (whose own files are not for writing)."""
    name = "cuisine.txt" if lang == "en" else f"cuisine_{lang}.txt"
    return str(CHECKOUT_ASSETS / "corpora" / name) if in_checkout() else name


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="rnn-core", description="Train and explain recurrent networks in NumPy "
                "(also: python -m rnn_core).")
    p.add_argument("--version", action="version", version=f"rnn-core {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    t = sub.add_parser("train", help="train a model on a text file and save it as .npz")
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--corpus", help="UTF-8 text file, e.g. assets/corpora/cuisine.txt")
    src.add_argument("--task", choices=sorted(TASKS), help="a long-memory task instead of a text (many-to-one)")
    t.add_argument("--gap", type=_positive_int(0, 10_000), default=10, action=_Given,
                   help="distractor tokens for --task")
    t.add_argument("--out", required=True, help="where to write the model (.npz)")
    t.add_argument("--cell", choices=sorted(CELLS), default=DEFAULTS["cell"], help="the recurrent cell")
    t.add_argument("--hidden", type=_positive_int(1, 4096), default=DEFAULTS["hidden"], help="hidden size H")
    t.add_argument("--activation", choices=ACTIVATIONS, default=DEFAULTS["activation"], help="the RNN's nonlinearity")
    t.add_argument("--level", choices=LEVELS, default=DEFAULTS["level"], action=_Given,
                   help="word or character tokens of --corpus")
    t.add_argument("--steps", type=_positive_int(1, 10_000_000), default=DEFAULTS["steps"], help="optimizer iterations")
    t.add_argument("--lr", type=_float(0, 100, lo_open=True), default=DEFAULTS["lr"], help="learning rate")
    t.add_argument("--optimizer", choices=OPTIMIZERS, default=DEFAULTS["optimizer"], help="the update rule")
    t.add_argument("--clip", type=_float(0, 1e9), default=DEFAULTS["clip"],
                   help="global-norm clipping threshold, 0 = off")
    t.add_argument("--seq-len", type=_positive_int(1, 10_000), default=DEFAULTS["seq_len"], action=_Given,
                   help="truncated BPTT length k over --corpus (a task's sequences are --gap + 2 steps)")
    t.add_argument("--batch", type=_positive_int(1, 4096), default=DEFAULTS["batch"], help="parallel streams B")
    t.add_argument("--seed", type=_positive_int(0, MAX_SEED), default=DEFAULTS["seed"],
                   help="seed of the initial weights and the task's sequences")
    t.add_argument("--dtype", choices=("float32", "float64"), default=DEFAULTS["dtype"],
                   help="float type of the weights")
    t.add_argument("--spectral-radius", type=_float(0, 1000), default=None, help="rescale W_hh at init")
    t.add_argument("--weight-decay", type=_float(0, 1000), default=0.0,
                   help="decoupled weight decay: each update first shrinks the weight matrices by 1 - lr * wd")
    t.add_argument("--max-vocab", type=_positive_int(2, 1_000_000), default=None, action=_Given,
                   help="keep the most frequent tokens of --corpus")
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    c = sub.add_parser("complete", help="print the most likely continuation of a prompt")
    c.add_argument("prompt", help="the text to continue")
    c.add_argument("--model", required=True, help="a model file saved by train or the app (.npz), or exported "
                   "as .safetensors")
    c.add_argument("--tokens", type=_positive_int(1, 10_000), default=1, help="how many tokens to generate")
    c.add_argument("--strategy", choices=("greedy", "sample"), default="greedy",
                   help="the most likely token, or one drawn from the distribution")
    c.add_argument("--temperature", type=_float(MIN_TEMPERATURE, 100), default=1.0, action=_Given,
                   help="divides the logits before sampling (--strategy sample)")
    c.add_argument("--top-k", type=_positive_int(1, 1_000_000), default=None, action=_Given,
                   help="sample among the k most likely tokens only (default: all; --strategy sample)")
    c.add_argument("--seed", type=_positive_int(0, MAX_SEED), default=0, action=_Given,
                   help="seed of the sampling (--strategy sample)")

    g = sub.add_parser("gradcheck", help="check every gradient against finite differences (float64)")
    g.add_argument("--seed", type=_positive_int(0, MAX_SEED), default=0, help="seed of the random inputs")
    g.add_argument("--tol", type=_float(0, 1, lo_open=True), default=1e-6,
                   help="the largest relative error that passes")

    e = sub.add_parser("memory", help="train each cell on each gap of a long-memory task; print the table")
    e.add_argument("--task", choices=sorted(TASKS), default="delay", help="the long-memory task")
    e.add_argument("--cells", type=_choices_list(sorted(CELLS)), default=["rnn", "lstm", "gru"],
                   help="comma-separated, e.g. rnn,lstm,gru")
    e.add_argument("--gaps", type=_int_list, default=None, help="comma-separated, e.g. 5,20,50 (default: 2,5,10,20,40)")
    e.add_argument("--budget", type=_positive_int(1, 1_000_000), default=None,
                   help=f"optimizer steps per run (default: {EXPERIMENT['budget']}; the cuisine task's "
                        f"{TASK_SETTINGS['cuisine']['budget']})")
    e.add_argument("--hidden", type=_positive_int(1, 4096), default=None,
                   help=f"hidden size (default: {EXPERIMENT['hidden_size']})")
    e.add_argument("--seed", type=_positive_int(0, MAX_SEED), default=0, help="seed of the weights and sequences")
    e.add_argument("--forget-bias", type=_float(-100, 100), default=None, action=_Given,
                   help=f"the LSTM's initial forget-gate bias (default: {EXPERIMENT['forget_bias']:g}, the gate starts "
                        f"open; the cuisine task's {TASK_SETTINGS['cuisine']['forget_bias']:g})")
    e.add_argument("--update-bias", type=_float(-100, 100), default=None, action=_Given,
                   help=f"the GRU's initial update-gate bias (default: {EXPERIMENT['update_bias']:g}: z starts at 0.5)")
    e.add_argument("--out", default=None,
                   help="also write the settings and every run's numbers to this JSON file (the Gradient lab's "
                        "stored sweep is made this way)")
    e.add_argument("--lr", type=_float(0, 100, lo_open=True), default=None,
                   help=f"Adam's learning rate (default: {EXPERIMENT['lr']:g}; the adding problem's and the "
                        f"cuisine task's {TASK_LR['adding']:g})")

    i = sub.add_parser("info", help="describe a saved model")
    i.add_argument("model", help="a model file (.npz or .safetensors)")

    x = sub.add_parser("export", help="write a saved model for PyTorch (.pt + .json) or as .safetensors")
    x.add_argument("model", help="a model file (.npz) saved by train or the app")
    x.add_argument("--to", choices=("torch", "safetensors"), required=True,
                   help="torch: the state_dict (torch.save; needs torch) and a .json with the module's settings and "
                        "the vocabulary beside it; safetensors: one file, read by safetensors.torch.load_file, with "
                        "the settings and the vocabulary in its metadata (no torch needed)")
    x.add_argument("--out", required=True, help="where to write it (.pt or .safetensors)")

    m = sub.add_parser("make-corpus", help="write the cuisine corpus (in a checkout: assets/corpora/cuisine.txt, "
                       "cuisine_fr.txt ...)")
    m.add_argument("--lang", default="en", choices=LANGS, help="the corpus's language (default: en)")
    m.add_argument("--out", default=None, help="where to write it (default: the language's corpus file)")

    r = sub.add_parser("prune", help="drop the app's saved runs, model links and classes past the store's age and "
                       "size limits (the store the app uses: RNN_PLAYGROUND_DATA_DIR or RNN_PLAYGROUND_DATABASE_URL)")
    r.add_argument("--data-dir", default=None, help="the SQLite store's folder (default: RNN_PLAYGROUND_DATA_DIR, "
                   "else the user's data folder)")
    r.add_argument("--database-url", default=None, help="a PostgreSQL store instead (default: "
                   "RNN_PLAYGROUND_DATABASE_URL)")
    r.add_argument("--max-age-days", type=_float(0, 1e6, lo_open=True), default=None,
                   help="drop rows not written for this many days (default: RNN_PLAYGROUND_STORE_MAX_AGE_DAYS, "
                        "else 30)")
    r.add_argument("--max-total-mb", type=_float(0, 1e9, lo_open=True), default=None,
                   help="then drop the oldest while the store holds more (default: RNN_PLAYGROUND_STORE_MAX_TOTAL_MB, "
                        "else 2000)")
    return p


def _check_memory(cell: str, hidden: int, vocab_size: int, batch: int, steps: int, dtype,
                  smaller: str = "--hidden, --batch, or sequence (--seq-len / --gap)") -> None:
    """Refuse, before allocating anything, a run whose training step would not fit in memory."""
    need, have = estimate_bytes(cell, hidden, vocab_size, batch, steps, dtype), available_bytes()
    if need > 0.8 * have:
        raise UsageError(f"one training step of a {cell} with hidden size {hidden}, batch {batch} and {steps:,} "
                         f"time steps needs about {need / 2**30:,.1f} GiB of memory; {have / 2**30:,.1f} GiB is "
                         f"available. Use a smaller {smaller}.")


def cmd_train(a) -> int:
    own = "with --corpus (a task has its own tokens)"
    _refuse_unused(a, (("--gap", a.task, "with --task"), ("--level", a.corpus, own), ("--max-vocab", a.corpus, own),
                       ("--seq-len", a.corpus, "with --corpus (a task's sequences are --gap + 2 steps long)")))
    _check_out(a.out)
    if a.task:
        _check_memory(a.cell, a.hidden, make_task(a.task, 0, 1).input_width, a.batch, a.gap + 2, a.dtype)
        data = make_task(a.task, a.gap, a.batch, a.seed)
        vocab, n_tokens = getattr(data, "vocab", None), a.steps * a.batch
        what = f"{a.task} task sequences (gap {a.gap})"
    else:
        text = read_text_file(a.corpus)
        vocab = Vocab.from_text(text, a.level, max_size=a.max_vocab)
        _check_memory(a.cell, a.hidden, len(vocab), a.batch, a.seq_len, a.dtype)
        ids = vocab.encode(text)
        data = TokenStream(ids, a.batch, a.seq_len)
        n_tokens, what = len(ids), f"{a.level} tokens"
    if a.task:
        model = data.new_model(a.cell, a.hidden, seed=a.seed, dtype=np.dtype(a.dtype), activation=a.activation,
                               spectral_radius=a.spectral_radius)
    else:
        model = make_model(a.cell, len(vocab), a.hidden, a.activation, seed=a.seed,
                           dtype=np.dtype(a.dtype), spectral_radius=a.spectral_radius)
    trainer = Trainer(model, data, a.optimizer, a.lr, a.clip or None, weight_decay=a.weight_decay)
    reads = f"vocabulary {len(vocab)}" if vocab is not None else "real inputs, squared error"
    print(f"training a {a.cell} (H={a.hidden}, {model.n_params():,} parameters) on {n_tokens:,} "
          f"{what}, {reads}", file=sys.stderr)
    bar = None
    if not a.quiet:
        from tqdm import tqdm
        # disable=None: a bar on a terminal only; a log file or CI gets the summary lines, not a stream of \r updates
        bar = tqdm(total=a.steps, unit="it", file=sys.stderr, mininterval=0.2, dynamic_ncols=True, disable=None)
    rec, interrupted = None, False
    try:
        for rec in trainer.run(a.steps):
            if bar is not None:
                bar.update(1)
                if rec.iteration % 20 == 0:
                    bar.set_postfix(loss=f"{rec.loss:.3f}", refresh=False)
    except KeyboardInterrupt:                   # Ctrl-C: keep what was trained, below
        interrupted = True
    finally:
        if bar is not None:
            bar.close()
    settings = {k: getattr(a, k) for k in ("cell", "hidden", "activation", "level", "steps", "lr", "optimizer",
                                           "clip", "seq_len", "batch", "seed", "dtype", "spectral_radius",
                                           "weight_decay")}
    source = {"task": a.task, "gap": a.gap} if a.task else {"corpus": Path(a.corpus).name}
    settings.update(**source, iterations=trainer.iteration,
                    final_loss=None if rec is None else rec.loss, seconds=round(trainer.elapsed, 3))
    save_model(a.out, model, vocab, settings)
    if interrupted:
        print(f"interrupted after {trainer.iteration:,} of {a.steps:,} steps: saved the weights so far to {a.out}",
              file=sys.stderr)
        return 130
    if trainer.diverged:
        print(trainer.diverged, file=sys.stderr)
    unit = "" if model.real_inputs else " nats"
    print(f"final loss {rec.loss:.4f}{unit} after {trainer.iteration} steps in {trainer.elapsed:.1f} s; "
          f"saved {a.out}")
    return 1 if trainer.diverged else 0


def cmd_complete(a) -> int:
    sampled = a.strategy == "sample"
    _refuse_unused(a, [(flag, sampled, "with --strategy sample (greedy takes the most likely token)")
                       for flag in ("--temperature", "--top-k", "--seed")])
    model, vocab = load_any(a.model)
    if vocab is None:
        raise UsageError(f"{a.model} is a regression model (it reads numbers); complete needs a token model")
    unknown = vocab.unknown_tokens(a.prompt)
    if unknown:
        print(f"note: the model never saw {', '.join(unknown[:5])}; read as <unk>", file=sys.stderr)
    toks = complete(model, vocab, a.prompt, a.tokens, a.strategy, a.temperature, a.top_k, a.seed)
    print(vocab.decode(vocab.encode(toks)) if vocab.level == "word" else "".join(toks))
    return 0


def cmd_gradcheck(a) -> int:
    t0 = time.perf_counter()
    worst = (0.0, "")
    n = 0
    for cell, act, loss, name, err in check_all(seed=a.seed):
        n += 1
        if err >= worst[0]:
            worst = (err, f"{cell}/{act}/{loss}/{name}")
        flag = "" if err < a.tol else "  <-- above tolerance"
        print(f"{cell:5s} {act:8s} {loss:17s} {name:5s} relative error {err:.2e}{flag}")
    print(f"checked {n} gradients in {time.perf_counter() - t0:.1f} s; "
          f"worst relative error {worst[0]:.2e} ({worst[1]})")
    return 0 if worst[0] < a.tol else 1


def cmd_memory(a) -> int:
    _refuse_unused(a, (("--forget-bias", "lstm" in a.cells, "when --cells includes lstm"),
                       ("--update-bias", "gru" in a.cells, "when --cells includes gru")))
    if a.out:
        _check_out(a.out)             # before the sweep: minutes of training are not lost at the save
    kw = {k: v for k, v in (("gaps", a.gaps), ("budget", a.budget), ("hidden_size", a.hidden), ("lr", a.lr))
          if v is not None}
    longest = max(a.gaps or [40]) + 8                     # the cuisine task adds a few words around the gap
    for cell in a.cells:
        _check_memory(cell, a.hidden or 32, make_task(a.task, 0, 1).input_width, 32, longest, np.float32,
                      smaller="--hidden or --gaps")
    t0 = time.perf_counter()
    print(f"{'cell':5s} {'gap':>4s} {'accuracy':>8s} {'loss':>7s} {'||dL/dh_0||':>12s} "
          f"{'dh_0/dh_T-1':>12s} {'seconds':>7s}")

    def show(done, total, r):
        print(f"{r['cell']:5s} {r['gap']:4d} {r['accuracy']:8.3f} {r['loss']:7.3f} "
              f"{r['grad_norm_first_step']:12.3e} {r['grad_ratio_first_last']:12.3e} {r['seconds']:7.1f}", flush=True)

    rows = memory_experiment(a.cells, task=a.task, seed=a.seed, forget_bias=a.forget_bias,
                             update_bias=a.update_bias, progress=show, **kw)
    print(f"{len(rows)} runs in {time.perf_counter() - t0:.1f} s; chance accuracy {rows[0]['chance']:.3f}")
    if a.out:
        settings = {**experiment_settings(a.task), **kw, "task": a.task, "cells": list(a.cells), "seed": a.seed,
                    "gaps": sorted({r["gap"] for r in rows})}
        for name in ("forget_bias", "update_bias"):
            if getattr(a, name) is not None:
                settings[name] = getattr(a, name)
        Path(a.out).write_text(json.dumps({"settings": settings, "records": rows}, indent=1) + "\n")
        print(f"wrote {a.out}")
    return 0


def cmd_info(a) -> int:
    model, vocab = load_any(a.model)
    reads = (f"vocabulary: {len(vocab)} {vocab.level} tokens" if vocab is not None else
             f"inputs: {model.input_size} numbers per step; outputs: {model.output_size} (linear head, squared error)")
    print(f"cell: {model.cell}\nactivation: {model.activation}\nhidden size: {model.hidden_size}\n"
          f"{reads}\nparameters: {model.n_params():,} ({model.dtype})")
    if model.normalisation:
        print(f"normalisation: mean {model.normalisation['mean']}, scale {model.normalisation['std']}")
    for name, p in model.params.items():
        print(f"  {name}: {p.shape}")
    if model.metadata:
        print("training settings:")
        for k, v in model.metadata.items():
            print(f"  {k}: {v}")
    return 0


def cmd_export(a) -> int:
    model, vocab = load_model(a.model)
    training = model.metadata
    if a.to == "safetensors":
        Path(a.out).write_bytes(to_safetensors(model, vocab, training))
        written = [a.out]
    else:
        try:
            written = save_torch(a.out, model, vocab, training)
        except ImportError as e:
            raise UsageError(str(e)) from None
    print(f"wrote {' and '.join(written)}")
    return 0


def cmd_make_corpus(a) -> int:
    out = a.out or _corpus_out(a.lang)
    Path(out).write_text(make_corpus(a.lang), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def cmd_prune(a) -> int:
    from dataclasses import replace

    from .store import Settings, Store, StoreError

    try:
        settings = Settings.from_env()
    except ValueError as e:
        raise UsageError(str(e)) from None
    if a.data_dir:
        settings = replace(settings, data_dir=Path(a.data_dir), database_url=None)
    if a.database_url:
        settings = replace(settings, database_url=a.database_url)
    limits = settings.limits
    if a.max_age_days is not None:
        limits = replace(limits, max_age_days=a.max_age_days)
    if a.max_total_mb is not None:
        limits = replace(limits, max_total_bytes=int(a.max_total_mb * 1e6))
    try:
        store = Store(replace(settings, enabled=True, limits=limits))
        gone = store.prune()
        left = store.usage()
        store.close()
    except StoreError as e:
        raise UsageError(str(e)) from None
    print(f"{settings.describe()}: removed {gone['runs']} runs, {gone['shares']} model links, {gone['classes']} "
          f"classes and {gone['handins']} hand-ins older than {limits.max_age_days:g} days, and "
          f"{gone['over the total']} more to stay within {limits.max_total_bytes / 1e6:g} MB")
    print(f"left: {left['runs'][0]} runs, {left['shares'][0]} model links, {left['classes'][0]} classes, "
          f"{left['handins'][0]} hand-ins; {sum(b for _, b in left.values()) / 1e6:.1f} MB")
    return 0


def main(argv=None) -> int:
    keep_freed_memory()           # the command trains: keep freed memory for the next BPTT step (rnn_core/_alloc.py)
    parser = build_parser()
    try:
        a = parser.parse_args(argv)
        return {"train": cmd_train, "complete": cmd_complete, "gradcheck": cmd_gradcheck,
                "memory": cmd_memory, "info": cmd_info, "export": cmd_export,
                "make-corpus": cmd_make_corpus, "prune": cmd_prune}[a.command](a)
    except UsageError as e:
        print(f"rnn-core: error: {e}", file=sys.stderr)
        return 2
    except (ModelFileError, ValueError, OSError) as e:
        print(f"rnn-core: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rnn-core: interrupted", file=sys.stderr)
        return 130
