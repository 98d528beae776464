"""Gradient lab: why gradients vanish or explode, and what clipping and gates do about it."""
import streamlit as st

from ui.common import links, state
from ui.common.i18n import _
from ui.lab import sections as lab_views

state.init_page()                 # also when a deep link is a fresh server's first request
links.read("gradient_lab", lab_views.LINK)
links.copy_box("gradient_lab", lab_views.LINK)
st.title(_("Gradient lab"))
st.caption(_("BPTT multiplies one Jacobian per step. Move the sliders and watch what survives the product."))

lab_views.jacobian_section()
st.divider()
lab_views.late_loss_section()
st.divider()
lab_views.lag_sweep_section()
st.divider()
lab_views.clipping_section()
