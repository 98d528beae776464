"""Links reproduce a page: Train's settings, Gradient lab's sliders, Generate, Time series and Home in the URL."""
import pytest

from helpers import open_page


def test_a_train_link_reproduces_its_settings():
    at = open_page("pages/train.py", source="Delay task", gap="30", cell="gru", hidden="32", lr="0.01",
                   optimizer="momentum", clip="1", seq_len="40", batch="8", spectral_radius="1.5",
                   iterations="500", seed="7", loss="many_to_one")
    ss = at.session_state
    assert (ss["tr_source"], ss["tr_gap"], ss["tr_cell"], ss["tr_hidden"], ss["tr_lr"], ss["tr_optimizer"]) == \
        ("Delay task", 30, "gru", 32, 0.01, "momentum")
    assert (ss["tr_clip"], ss["tr_k"], ss["tr_batch"], ss["tr_rho"], ss["tr_iterations"], ss["tr_seed"]) == \
        (1.0, 40, 8, 1.5, 500, 7)
    sess = ss["train_session"]
    assert sess.model.cell == "gru" and sess.model.hidden_size == 32          # the first model follows the link
    assert at.selectbox(key="tr_cell").value == "gru" and at.select_slider(key="tr_lr").value == 0.01
    assert not at.warning


def test_the_train_page_writes_its_settings_into_the_url():
    at = open_page("pages/train.py")
    at.select_slider(key="tr_lr").set_value(0.1).run()
    at.selectbox(key="tr_cell").set_value("lstm").run()
    qp = {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}
    assert qp["lr"] == "0.1" and qp["cell"] == "lstm" and qp["source"] == "Cuisine corpus" and qp["hidden"] == "128"


def test_a_gradient_lab_link_reproduces_its_sliders():
    at = open_page("pages/gradient_lab.py", rho="1.5", activation="relu", T="60", clip_lr="3", clip="0.5",
                   clip_rho="1.2", task="adding", cells="rnn,gru", budget="200", forget_bias="1",
                   sentence="My favourite dish is pizza. So, my favourite cuisine is")
    assert at.slider(key="lab_rho").value == 1.5 and at.selectbox(key="lab_act").value == "relu"
    assert at.slider(key="lab_T").value == 60 and at.select_slider(key="lab_clip_lr").value == 3.0
    assert at.select_slider(key="lab_clip").value == 0.5 and at.slider(key="lab_clip_rho").value == pytest.approx(1.2)
    assert at.session_state["lab_task"] == "adding" and at.multiselect(key="lab_cells").value == ["rnn", "gru"]
    assert at.select_slider(key="lab_budget").value == 200 and at.session_state["lab_fb"] == 1.0
    assert "pizza" in at.text_input(key="lab_sentence").value
    assert any(c.value.startswith("Fresh, untrained networks") for c in at.caption)


def test_a_link_with_values_it_cannot_use_says_so_and_keeps_the_rest():
    at = open_page("pages/gradient_lab.py", rho="7", T="60", cells="rnn,transformer", activation="<b>x</b>")
    assert at.slider(key="lab_T").value == 60                                     # the usable one applies
    assert at.slider(key="lab_rho").value == 0.9 and at.multiselect(key="lab_cells").value == ["rnn", "lstm", "gru"]
    raw = " ".join(w.value for w in at.warning)
    text = raw.replace("\\", "")
    assert "rho=7 (not within 0.1 to 2)" in text and "cells=rnn,transformer" in text and "kept the current" in text
    assert "\\<b\\>" in raw                                                     # escaped: shown, not rendered


def test_generate_time_series_and_home_links():
    at = open_page("pages/generate.py", prompt="My favourite dish is", tokens="7", strategy="greedy")
    assert at.slider(key="gen_tokens").value == 7 and at.session_state["gen_strategy"] == "greedy"
    at = open_page("pages/time_series.py", series="Square wave", window="30", cell="lstm", hidden="32")
    sess = at.session_state["ts_session"]
    assert sess.data.name == "Square wave" and sess.model.cell == "lstm" and sess.config.window == 30
    at = open_page("pages/home.py", sentence="My favourite dish is pizza. So, my favourite cuisine is")
    assert at.session_state["home_shown"].startswith("My favourite dish is pizza")


def test_every_page_offers_a_copy_link_box():
    for page in ("pages/home.py", "pages/step_through.py", "pages/train.py", "pages/gradient_lab.py",
                 "pages/generate.py", "pages/time_series.py"):
        at = open_page(page)
        codes = [c.value for c in at.code]
        assert any("?" in c or page.endswith("home.py") for c in codes), (page, codes)
