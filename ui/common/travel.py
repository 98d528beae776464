"""The model downloads for PyTorch that Train and Time series share (built when clicked)."""
from __future__ import annotations

import streamlit as st

from .i18n import _


def pytorch_downloads(sess, torch_key: str, safetensors_key: str, stem: str) -> None:
    """**For PyTorch (.zip)** and **Safetensors (.safetensors)** beside each other. ``sess`` is a LiveRun with
    ``export_bytes(kind)``; either download counts as the model being saved."""
    model = sess.model
    twin = model.cell != "rnn" or model.activation in ("tanh", "relu")       # torch.nn.RNN has no sigmoid
    module = {"rnn": "torch.nn.RNN", "lstm": "torch.nn.LSTM", "gru": "torch.nn.GRU"}[model.cell]
    c1, c2 = st.columns(3)[:2]
    c1.download_button(
        _("For PyTorch (.zip)"), lambda: sess.export_bytes("torch"), f"{stem}_pytorch.zip", mime="application/zip",
        key=torch_key, on_click=sess.mark_saved, disabled=not twin,
        help=(_("model.safetensors: the state_dict of a module holding rnn ({module}) and head (torch.nn.Linear); "
                "config.json: their sizes and the normalisation; load_pytorch.py builds the module and loads them "
                "(and state_dict.pt for torch.load, where this server has PyTorch).") if model.real_inputs else
              _("model.safetensors: the state_dict of a module holding rnn ({module}) and head (torch.nn.Linear); "
                "config.json: their sizes and the vocabulary; load_pytorch.py builds the module and loads them "
                "(and state_dict.pt for torch.load, where this server has PyTorch).")).format(module=module))
    c2.download_button(
        _("Safetensors (.safetensors)"), lambda: sess.export_bytes("safetensors"), f"{stem}.safetensors",
        mime="application/octet-stream", key=safetensors_key, on_click=sess.mark_saved,
        help=_("One file: the same state_dict (PyTorch's names), with the configuration and the normalisation in "
               "its metadata. Step through takes it back; PyTorch reads it with safetensors.torch.load_file.")
        if model.real_inputs else
        _("One file: the same state_dict (PyTorch's names), with the configuration and the vocabulary in its "
          "metadata. Step through takes it back; PyTorch reads it with safetensors.torch.load_file."))
    if not twin:
        st.caption(_("PyTorch's RNN has tanh and relu only, so this {activation} RNN has no PyTorch module; "
                     "its safetensors file keeps the weights.").format(activation=model.activation))
