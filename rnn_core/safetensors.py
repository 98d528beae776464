"""The safetensors file format, read and written with NumPy alone (no torch, no extra package).

A file is an 8-byte little-endian header length N, N bytes of JSON, then the tensors' bytes:

    {"W": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 48]}, ..., "__metadata__": {"key": "text"}}

Offsets count from the end of the header; the tensors are C-ordered little-endian and fill the data part
without gaps. Like the format itself this reads no code and unpickles nothing, and ``read`` checks every
header field against the file before it takes a byte of data, so a hostile upload gets a plain message.
"""
from __future__ import annotations

import json
import math
import struct

import numpy as np

DTYPES = {"F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8")}
NAMES = {v: k for k, v in DTYPES.items()}
MAX_HEADER = 100_000_000           # the reference implementation's limit on the JSON header


class SafetensorsError(ValueError):
    """A file that is not a usable safetensors file, with a message naming the problem."""


def write(tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    """The bytes of a safetensors file holding ``tensors`` (float16/32/64) and string ``metadata``."""
    header: dict = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("safetensors metadata maps text to text")
        header["__metadata__"] = dict(metadata)
    blobs, offset = [], 0
    for name in sorted(tensors):
        a = np.asarray(tensors[name])
        if a.dtype.newbyteorder("<") not in NAMES:
            raise ValueError(f"{name} holds {a.dtype}; a safetensors file here holds float16, float32 or float64")
        data = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": NAMES[a.dtype.newbyteorder("<")], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)                       # the data part starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def read(raw: bytes, max_bytes: int) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """``(tensors, metadata)`` from a safetensors file's bytes; SafetensorsError for anything else."""
    if len(raw) > max_bytes:
        raise SafetensorsError(f"the file is larger than {max_bytes / 1e6:g} MB")
    if len(raw) < 10:
        raise SafetensorsError("the file is too short to be a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > min(MAX_HEADER, len(raw) - 8):
        raise SafetensorsError("not a safetensors file: its header length runs past the end of the file")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise SafetensorsError("not a safetensors file: its header is not JSON") from None
    if not isinstance(header, dict):
        raise SafetensorsError("not a safetensors file: its header is not a table of tensors")
    metadata = header.pop("__metadata__", None) or {}
    if not (isinstance(metadata, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise SafetensorsError("the file's __metadata__ is not a table of texts")
    data = memoryview(raw)[8 + n:]
    spans, tensors = [], {}
    for name, info in header.items():
        if not (isinstance(info, dict) and set(info) == {"dtype", "shape", "data_offsets"}):
            raise SafetensorsError(f"the header's entry for {name!r:.60} is not a tensor's (dtype, shape, offsets)")
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPES:
            raise SafetensorsError(f"{name!r:.60} holds {str(dtype)[:20]} values; weights must be F16, F32 or F64")
        if not (isinstance(shape, list) and len(shape) <= 8
                and all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d for d in shape)):
            raise SafetensorsError(f"{name!r:.60} has no usable shape")
        if not (isinstance(offsets, list) and len(offsets) == 2
                and all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
                and 0 <= offsets[0] <= offsets[1] <= len(data)):
            raise SafetensorsError(f"{name!r:.60}'s data lies outside the file (it is truncated or corrupt)")
        if offsets[1] - offsets[0] != math.prod(shape) * DTYPES[dtype].itemsize:
            raise SafetensorsError(f"{name!r:.60}'s byte count does not match its shape {shape}")
        spans.append((offsets[0], offsets[1], name))
        tensors[name] = (dtype, shape, offsets)
    end = 0
    for begin, stop, name in sorted(spans):
        if begin != end:
            raise SafetensorsError(f"{name!r:.60} overlaps another tensor or leaves a gap: the file is corrupt")
        end = stop
    if end != len(data):
        raise SafetensorsError("the file's data part is longer or shorter than its tensors: it is corrupt")
    out = {name: np.frombuffer(data[b:e], dtype=DTYPES[dtype]).reshape(shape).copy()
           for name, (dtype, shape, (b, e)) in tensors.items()}
    return out, metadata


def looks_like(raw: bytes) -> bool:
    """A quick sniff: an 8-byte length, then a JSON object."""
    return len(raw) >= 10 and raw[8:9] == b"{" and struct.unpack("<Q", raw[:8])[0] <= len(raw) - 8
