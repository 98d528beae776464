"""The model downloads for PyTorch that Train and Time series share (built when clicked)."""
from __future__ import annotations

import streamlit as st


def pytorch_downloads(sess, torch_key: str, safetensors_key: str, stem: str) -> None:
    """**For PyTorch (.zip)** and **Safetensors (.safetensors)** beside each other. ``sess`` is a LiveRun with
    ``export_bytes(kind)``; either download counts as the model being saved."""
    model = sess.model
    twin = model.cell != "rnn" or model.activation in ("tanh", "relu")       # torch.nn.RNN has no sigmoid
    module = {"rnn": "torch.nn.RNN", "lstm": "torch.nn.LSTM", "gru": "torch.nn.GRU"}[model.cell]
    c1, c2, _ = st.columns(3)
    c1.download_button(
        "For PyTorch (.zip)", lambda: sess.export_bytes("torch"), f"{stem}_pytorch.zip", mime="application/zip",
        key=torch_key, on_click=sess.mark_saved, disabled=not twin,
        help=f"model.safetensors: the state_dict of a module holding rnn ({module}) and head (torch.nn.Linear); "
             "config.json: their sizes and " + ("the normalisation" if model.real_inputs else "the vocabulary")
             + "; load_pytorch.py builds the module and loads them (and state_dict.pt for torch.load, where this "
               "server has PyTorch).")
    c2.download_button(
        "Safetensors (.safetensors)", lambda: sess.export_bytes("safetensors"), f"{stem}.safetensors",
        mime="application/octet-stream", key=safetensors_key, on_click=sess.mark_saved,
        help="One file: the same state_dict (PyTorch's names), with the configuration and "
             + ("the normalisation" if model.real_inputs else "the vocabulary")
             + " in its metadata. Step through takes it back; PyTorch reads it with safetensors.torch.load_file.")
    if not twin:
        st.caption(f"PyTorch's RNN has tanh and relu only, so this {model.activation} RNN has no PyTorch module; "
                   "its safetensors file keeps the weights.")
