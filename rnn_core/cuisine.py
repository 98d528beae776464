"""The cuisine corpus: dishes, their cuisines, and the sentences that make a model remember the dish.

``python -m rnn_core make-corpus`` writes ``assets/corpora/cuisine.txt`` from this table; the
result is deterministic, and a test checks that the committed file matches it.
"""
from __future__ import annotations

import numpy as np

DISHES: dict[str, list[str]] = {
    "japanese": ["sushi", "ramen", "tempura", "sashimi", "udon"],
    "italian": ["pizza", "lasagne", "risotto", "tiramisu", "gnocchi"],
    "mexican": ["tacos", "burritos", "enchiladas", "guacamole", "tamales"],
    "spanish": ["paella", "tapas", "gazpacho", "churros", "chorizo"],
    "french": ["croissants", "ratatouille", "crepes", "quiche", "cassoulet"],
    "indian": ["biryani", "samosas", "dal", "naan", "korma"],
    "chinese": ["dumplings", "wontons", "congee", "chowmein"],
    "greek": ["moussaka", "souvlaki", "gyros", "tzatziki"],
    "korean": ["kimchi", "bibimbap", "bulgogi", "japchae"],
    "german": ["bratwurst", "sauerkraut", "pretzels", "spaetzle"],
    "lebanese": ["hummus", "falafel", "tabbouleh", "shawarma"],
    "russian": ["borscht", "blini", "pelmeni", "stroganoff"],
    "moroccan": ["tagine", "couscous", "harira"],
    "hungarian": ["goulash", "langos", "paprikash"],
}

CUISINE_OF = {dish: cuisine for cuisine, dishes in DISHES.items() for dish in dishes}

PROMPT = "My favourite dish is sushi. So, my favourite cuisine is"

# {p}/{P}: a possessive (lower/capitalised), {d}: the dish, {c}: its cuisine. The first template,
# the seeds' sentence, is used most, so the model learns it best.
_TEMPLATES = [
    ("{P} favourite dish is {d}. So, {p} favourite cuisine is {c}.", 6),
    ("{P} favourite food is {d}, so {p} favourite cuisine is {c}.", 2),
    ("I love {d}. So, my favourite cuisine is {c}.", 2),
    ("We ate {d} last night. It is {c} food.", 1),
    ("{d} is a {c} dish.", 1),
    ("If you like {d}, you will like {c} cuisine.", 1),
]
_POSSESSIVES = ["my", "his", "her", "our", "their", "your"]
FILLERS = ["really", "very", "truly", "always", "honestly", "simply", "still", "also"]


def sentences(seed: int = 0, repeats: int = 3) -> list[str]:
    """Every dish in every template ``repeats`` x weight times, possessives drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(repeats):
        for template, weight in _TEMPLATES:
            for _ in range(weight):
                for dish, cuisine in CUISINE_OF.items():
                    p = _POSSESSIVES[rng.integers(len(_POSSESSIVES))]
                    s = template.format(p=p, P=p.capitalize(), d=dish, c=cuisine)
                    out.append(s[0].upper() + s[1:])
    order = rng.permutation(len(out))
    return [out[i] for i in order]


def make_corpus(seed: int = 0) -> str:
    """The corpus text: shuffled sentences, ten to a paragraph."""
    sents = sentences(seed)
    paras = [" ".join(sents[i:i + 10]) for i in range(0, len(sents), 10)]
    return "\n\n".join(paras) + "\n"
