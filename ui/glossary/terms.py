"""The core terms in the app's six languages, with the symbol each notation writes them with.

The terms in the six languages are data, not messages (every row shows all six at once); the explanation is a
message, translated into the session's language like any other text.
"""
from __future__ import annotations

from ui.common.i18n import N_

LANGS = ("en", "da", "de", "fr", "ru", "zh")

# (this app's symbol, the U/W/V notation's symbol, the terms in LANGS' order, the explanation)
TERMS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("", "", ("recurrent neural network (RNN)", "rekurrent neuralt netværk", "rekurrentes neuronales Netz",
              "réseau de neurones récurrent", "рекуррентная нейронная сеть", "循环神经网络"),
     N_("A network that reads a sequence one element at a time and carries a hidden state from each step to "
        "the next, with the same weights at every step.")),
    ("t", "t", ("time step", "tidsskridt", "Zeitschritt", "pas de temps", "временной шаг", "时间步"),
     N_("The position in the sequence: step t reads the t-th token.")),
    ("x_t", "x_t", ("input", "input", "Eingabe", "entrée", "вход", "输入"),
     N_("What the network reads at step t: here a one-hot vector of the token's id.")),
    ("h_t", "S_t", ("hidden state", "skjult tilstand", "verborgener Zustand", "état caché", "скрытое состояние",
                    "隐藏状态"),
     N_("The network's memory after step t: a vector computed from the input and the previous hidden state.")),
    ("y_t", "O_t", ("output", "output", "Ausgabe", "sortie", "выход", "输出"),
     N_("What the network says at step t: here a probability for every token of the vocabulary.")),
    ("W_xh", "U", ("input weights", "inputvægte", "Eingabegewichte", "poids d'entrée", "входные веса",
                   "输入权重"),
     N_("The matrix that maps the input into the hidden state.")),
    ("W_hh", "W", ("recurrent weights", "rekurrente vægte", "rekurrente Gewichte", "poids récurrents",
                   "рекуррентные веса", "循环权重"),
     N_("The matrix that carries the previous hidden state into the new one; the same at every step.")),
    ("W_hy", "V", ("output weights", "outputvægte", "Ausgabegewichte", "poids de sortie", "выходные веса",
                   "输出权重"),
     N_("The matrix that maps the hidden state to one score (logit) per token.")),
    ("b, c", "b, c", ("bias", "bias", "Bias", "biais", "смещение", "偏置"),
     N_("Numbers added before the activation (b) and to the output scores (c).")),
    ("f", "f", ("activation function", "aktiveringsfunktion", "Aktivierungsfunktion", "fonction d'activation",
                "функция активации", "激活函数"),
     N_("The non-linear function applied to the hidden state's sum: tanh, ReLU or the logistic sigmoid.")),
    ("g", "g", ("softmax", "softmax", "Softmax", "softmax", "софтмакс", "softmax"),
     N_("Turns the output scores into probabilities that are positive and add up to 1.")),
    ("E_t", "E_t", ("loss", "tab", "Verlust", "perte", "функция потерь", "损失"),
     N_("How wrong the output was at step t: minus the log of the probability given to the right token "
        "(cross-entropy).")),
    ("", "", ("backpropagation through time (BPTT)", "tilbagepropagering gennem tid", "Backpropagation durch die Zeit",
              "rétropropagation à travers le temps", "обратное распространение во времени",
              "随时间反向传播"),
     N_("The chain rule applied to the network unrolled over its steps: each step's error flows back through "
        "every earlier step, and the weights' gradient is the sum over the steps.")),
    ("∂E/∂W", "∂E/∂W", ("gradient", "gradient", "Gradient", "gradient", "градиент", "梯度"),
     N_("How much the loss changes for a small change of each weight: the direction training moves the "
        "weights against.")),
    ("", "", ("vanishing gradient", "forsvindende gradient", "verschwindender Gradient", "gradient évanescent",
              "затухающий градиент", "梯度消失"),
     N_("The gradient from a far-back step shrinks toward zero, because it is multiplied by one Jacobian per "
        "step and those have norms below 1: the network cannot learn long dependencies.")),
    ("", "", ("exploding gradient", "eksploderende gradient", "explodierender Gradient", "gradient explosif",
              "взрывающийся градиент", "梯度爆炸"),
     N_("The same product with norms above 1 grows without bound: training steps become huge and the loss "
        "jumps or becomes NaN.")),
    ("∂h_t/∂h_{t-1}", "∂S_t/∂S_{t-1}", ("Jacobian", "Jacobi-matrix", "Jacobi-Matrix", "jacobienne", "якобиан",
                                        "雅可比矩阵"),
     N_("The matrix of how each hidden unit at step t responds to each unit at step t-1: diag(f') W_hh.")),
    ("ρ", "ρ", ("spectral radius", "spektralradius", "Spektralradius", "rayon spectral", "спектральный радиус",
                "谱半径"),
     N_("The largest absolute eigenvalue of W_hh: below 1 gradients tend to vanish, above 1 they can explode.")),
    ("", "", ("gradient clipping", "gradientklipning", "Gradient Clipping", "écrêtage du gradient",
              "ограничение градиента", "梯度裁剪"),
     N_("Scaling the gradient down when its norm exceeds a threshold: a cure for exploding gradients, not for "
        "vanishing ones.")),
    ("k", "k", ("truncation length", "trunkeringslængde", "Abschneidelänge", "longueur de troncature",
                "длина усечения", "截断长度"),
     N_("Truncated BPTT sends errors back at most k steps: cheaper, but blind to longer dependencies.")),
    ("η", "η", ("learning rate", "læringsrate", "Lernrate", "taux d'apprentissage", "скорость обучения", "学习率"),
     N_("How far one training step moves the weights along the gradient.")),
    ("", "", ("long short-term memory (LSTM)", "langt korttidshukommelse (LSTM)", "Long Short-Term Memory (LSTM)",
              "mémoire à long et court terme (LSTM)", "долгая краткосрочная память (LSTM)", "长短期记忆网络"),
     N_("A recurrent cell with a cell state and gates: its memory is carried by addition, so the gradient along "
        "the cell state is scaled only by the forget gate.")),
    ("c_t", "c_t", ("cell state", "celletilstand", "Zellzustand", "état de la cellule", "состояние ячейки",
                    "细胞状态"),
     N_("The LSTM's long-term memory: c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t.")),
    ("f_t", "f_t", ("forget gate", "glemmeport", "Vergessens-Gate", "porte d'oubli", "вентиль забывания",
                    "遗忘门"),
     N_("Between 0 and 1 per unit: how much of the cell state is kept. Near 1, memory and gradient pass "
        "almost unchanged.")),
    ("i_t", "i_t", ("input gate", "inputport", "Eingangs-Gate", "porte d'entrée", "входной вентиль", "输入门"),
     N_("How much of the new candidate is written into the cell state.")),
    ("o_t", "o_t", ("output gate", "outputport", "Ausgangs-Gate", "porte de sortie", "выходной вентиль", "输出门"),
     N_("How much of the cell state is shown as the hidden state.")),
    ("", "", ("gated recurrent unit (GRU)", "gated recurrent unit (GRU)", "Gated Recurrent Unit (GRU)",
              "unité récurrente à portes (GRU)", "управляемый рекуррентный блок (GRU)", "门控循环单元"),
     N_("A gated cell without a separate cell state: an update gate mixes the old hidden state with a new "
        "candidate.")),
    ("z_t", "z_t", ("update gate", "opdateringsport", "Update-Gate", "porte de mise à jour", "вентиль обновления",
                    "更新门"),
     N_("In a GRU, how much of the hidden state is replaced by the candidate at this step.")),
    ("r_t", "r_t", ("reset gate", "nulstillingsport", "Reset-Gate", "porte de réinitialisation", "вентиль сброса",
                    "重置门"),
     N_("In a GRU, how much of the previous hidden state the candidate may read.")),
    ("", "", ("vocabulary", "ordforråd", "Vokabular", "vocabulaire", "словарь", "词表"),
     N_("Every token the model knows; a token it never saw becomes <unk>.")),
    ("", "", ("token", "token", "Token", "jeton", "токен", "词元"),
     N_("One unit of text the model reads: a word, a punctuation mark, or one character (each Chinese character "
        "is one token here).")),
]
