"""The Streamlit layer, by page: common/ (what several pages share) and one folder per page (home/, step/,
train/, lab/) holding that page's sections, figures and pure computations. Page folders import only
ui.common and rnn_core."""
