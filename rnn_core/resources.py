"""The data the package ships (corpora, series, demo models), found wherever the package is.

In a checkout they are the top-level ``assets/`` folder; in an installed wheel they are package data
(``rnn_core/assets``), read with ``importlib.resources``. Both hold the same files: the wheel takes the
checkout's ``assets/`` by pattern (``setup.py``), leaving out only the README's screenshots.

    from rnn_core.resources import asset_bytes, asset_path
    asset_bytes("models", "demo_rnn.npz")             # the file's bytes
    asset_path("corpora", "cuisine.txt")              # a filesystem path, where one exists
"""
from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

CHECKOUT_ASSETS = Path(__file__).resolve().parent.parent / "assets"


def assets() -> Traversable:
    """The assets folder: the installed package's data, or else the checkout's ``assets/``."""
    packaged = files(__package__) / "assets"
    if packaged.is_dir():
        return packaged
    if CHECKOUT_ASSETS.is_dir():
        return CHECKOUT_ASSETS
    raise FileNotFoundError("rnn_core's data files are missing: neither the installed package's rnn_core/assets "
                            f"nor a checkout's {CHECKOUT_ASSETS} exists (reinstall the package)")


def asset(*parts: str) -> Traversable:
    """One file (or folder) under the assets folder, e.g. ``asset("series", "sunspots.csv")``."""
    node = assets()
    for part in parts:
        node = node / part
    if not (node.is_file() or node.is_dir()):
        raise FileNotFoundError(f"no packaged data file {'/'.join(parts)}")
    return node


def asset_bytes(*parts: str) -> bytes:
    return asset(*parts).read_bytes()


def asset_path(*parts: str) -> Path:
    """A filesystem path to an asset. A wheel installs as plain files, so this always exists after ``pip install``;
    a package imported from a zip archive has none (use ``asset_bytes`` there)."""
    node = asset(*parts)
    if not isinstance(node, Path):
        raise FileNotFoundError(f"{'/'.join(parts)} is inside an archive; read it with asset_bytes")
    return node


def in_checkout() -> bool:
    """True when rnn_core runs from a source checkout (its data is the top-level assets/ folder)."""
    return not (files(__package__) / "assets").is_dir() and CHECKOUT_ASSETS.is_dir()
