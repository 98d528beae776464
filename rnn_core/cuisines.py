"""The cuisine corpus in the tutorials' other languages: Danish, German, French, Russian and Chinese.

Each language has its own dishes (the same fourteen cuisines as the English table in ``cuisine.py``), its
own sentence patterns, and the tutorials' example sentence translated as its prompt: the model must remember
the dish to name the cuisine, exactly as in English. ``python -m rnn_core make-corpus --lang fr`` writes
``assets/corpora/cuisine_fr.txt``; the result is deterministic and a test checks the committed files.

Grammar is handled by the pattern, not by rules: every possessive pattern names the forms it needs (the
French ``mon plat`` but ``ma cuisine``), and a cuisine carries the forms its sentences need (the German
``japanisch`` / ``japanisches Gericht``, the Russian ``японская кухня`` / ``японское блюдо``). Chinese is
unspaced: at word level the tokenizer reads it a character at a time (``vocab.py``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cuisine import DISHES as ENGLISH_DISHES
from .cuisine import PROMPT as ENGLISH_PROMPT
from .cuisine import make_corpus as english_corpus

# the English cuisine key (the order of cuisine.py's table) -> its dishes in each language, in the same order
_CUISINE_KEYS = list(ENGLISH_DISHES)


@dataclass(frozen=True)
class Corpus:
    """One language's corpus: its cuisines (English key -> the forms its patterns use), dishes, patterns."""

    code: str
    prompt: str                          # the tutorials' sentence, up to the word the model must predict
    answer: str                          # the token that follows the prompt (the cuisine, or its first character)
    dish: str                            # the dish in the prompt
    probe_dish: str                      # a dish of another cuisine that fits the prompt's grammar
    probe_answer: str                    # the token that follows the prompt with probe_dish in it
    cuisines: dict[str, dict[str, str]]  # English key -> {"c": the predicative form, other forms by name}
    dishes: dict[str, list[str]]         # English key -> dishes ("le sushi": French dishes carry their article)
    persons: list[dict[str, str]]        # the possessive forms the patterns name ({a}, {b} ...)
    patterns: list[tuple[str, int]]      # (pattern, weight); {d} the dish, {c}... the cuisine's forms

    def dish_of(self) -> dict[str, str]:
        return {d: c for c, ds in self.dishes.items() for d in ds}


def _forms(**columns: list[str]) -> dict[str, dict[str, str]]:
    """Cuisine forms given as columns in the order of _CUISINE_KEYS."""
    return {key: {name: col[i] for name, col in columns.items()} for i, key in enumerate(_CUISINE_KEYS)}


def _dishes(*rows: str) -> dict[str, list[str]]:
    """Dishes given as one comma-separated row per cuisine, in the order of _CUISINE_KEYS."""
    assert len(rows) == len(_CUISINE_KEYS)
    return {key: [d.strip() for d in row.split(",")] for key, row in zip(_CUISINE_KEYS, rows)}


_DA = Corpus(
    code="da",
    prompt="Min yndlingsret er sushi. Derfor er mit yndlingskøkken", answer="japansk", dish="sushi",
    probe_dish="pizza", probe_answer="italiensk",
    cuisines=_forms(c=["japansk", "italiensk", "mexicansk", "spansk", "fransk", "indisk", "kinesisk", "græsk",
                       "koreansk", "tysk", "libanesisk", "russisk", "marokkansk", "ungarsk"]),
    dishes=_dishes("sushi, ramen, tempura, sashimi, udon", "pizza, lasagne, risotto, tiramisu, gnocchi",
                   "tacos, burritos, enchiladas, guacamole, tamales", "paella, tapas, gazpacho, churros, chorizo",
                   "croissanter, ratatouille, crepes, quiche, cassoulet", "biryani, samosaer, dal, naan, korma",
                   "dumplings, wontons, congee, chowmein", "moussaka, souvlaki, gyros, tzatziki",
                   "kimchi, bibimbap, bulgogi, japchae", "bratwurst, surkål, brezeler, spätzle",
                   "hummus, falafel, tabbouleh, shawarma", "borsjtj, blinier, pelmeni, stroganoff",
                   "tagine, couscous, harira", "gullasch, langos, paprikash"),
    persons=[dict(a="min", b="mit"), dict(a="hans", b="hans"), dict(a="hendes", b="hendes"),
             dict(a="vores", b="vores"), dict(a="deres", b="deres"), dict(a="din", b="dit")],
    patterns=[("{a} yndlingsret er {d}. Derfor er {b} yndlingskøkken {c}.", 6),
              ("{a} livret er {d}, så {b} yndlingskøkken er {c}.", 2),
              ("Jeg elsker {d}. Derfor er mit yndlingskøkken {c}.", 2),
              ("Vi spiste {d} i går. Det er {c} mad.", 1),
              ("{d} er en {c} ret.", 1),
              ("Hvis du kan lide {d}, kan du lide {c} mad.", 1)],
)

_DE = Corpus(
    code="de",
    prompt="Mein Lieblingsgericht ist Sushi. Also ist meine Lieblingsküche", answer="japanisch", dish="Sushi",
    probe_dish="Pizza", probe_answer="italienisch",
    cuisines=_forms(c=["japanisch", "italienisch", "mexikanisch", "spanisch", "französisch", "indisch", "chinesisch",
                       "griechisch", "koreanisch", "deutsch", "libanesisch", "russisch", "marokkanisch",
                       "ungarisch"]),
    dishes=_dishes("Sushi, Ramen, Tempura, Sashimi, Udon", "Pizza, Lasagne, Risotto, Tiramisu, Gnocchi",
                   "Tacos, Burritos, Enchiladas, Guacamole, Tamales", "Paella, Tapas, Gazpacho, Churros, Chorizo",
                   "Croissants, Ratatouille, Crêpes, Quiche, Cassoulet", "Biryani, Samosas, Dal, Naan, Korma",
                   "Jiaozi, Wontons, Congee, Chowmein", "Moussaka, Souvlaki, Gyros, Tzatziki",
                   "Kimchi, Bibimbap, Bulgogi, Japchae", "Bratwurst, Sauerkraut, Brezeln, Spätzle",
                   "Hummus, Falafel, Taboulé, Schawarma", "Borschtsch, Blini, Pelmeni, Stroganoff",
                   "Tajine, Couscous, Harira", "Gulasch, Lángos, Paprikasch"),
    persons=[dict(a="mein", b="meine"), dict(a="sein", b="seine"), dict(a="ihr", b="ihre"),
             dict(a="unser", b="unsere"), dict(a="euer", b="eure"), dict(a="dein", b="deine")],
    patterns=[("{a} Lieblingsgericht ist {d}. Also ist {b} Lieblingsküche {c}.", 6),
              ("{a} Lieblingsessen ist {d}, also ist {b} Lieblingsküche {c}.", 2),
              ("Ich liebe {d}. Also ist meine Lieblingsküche {c}.", 2),
              ("Wir haben gestern {d} gegessen. Das ist {c}es Essen.", 1),
              ("{d} ist ein {c}es Gericht.", 1),
              ("Wer {d} mag, mag die {c}e Küche.", 1)],
)

_FR = Corpus(
    code="fr",
    prompt="Mon plat préféré est le sushi. Donc, ma cuisine préférée est", answer="japonaise", dish="sushi",
    probe_dish="risotto", probe_answer="italienne",
    cuisines=_forms(c=["japonaise", "italienne", "mexicaine", "espagnole", "française", "indienne", "chinoise",
                       "grecque", "coréenne", "allemande", "libanaise", "russe", "marocaine", "hongroise"]),
    dishes=_dishes("le sushi, les ramen, la tempura, le sashimi, les udon",
                   "la pizza, les lasagnes, le risotto, le tiramisu, les gnocchis",
                   "les tacos, les burritos, les enchiladas, le guacamole, les tamales",
                   "la paella, les tapas, le gaspacho, les churros, le chorizo",
                   "les croissants, la ratatouille, les crêpes, la quiche, le cassoulet",
                   "le biryani, les samoussas, le dal, le naan, le korma",
                   "les jiaozi, les wontons, le congee, le chowmein",
                   "la moussaka, le souvlaki, le gyros, le tzatziki",
                   "le kimchi, le bibimbap, le bulgogi, le japchae",
                   "la bratwurst, la choucroute, les bretzels, les spätzle",
                   "le houmous, les falafels, le taboulé, le chawarma",
                   "le bortsch, les blinis, les pelmenis, le strogonoff",
                   "le tajine, le couscous, la harira", "le goulasch, le lángos, le paprikash"),
    persons=[dict(a="mon", b="ma"), dict(a="son", b="sa"), dict(a="notre", b="notre"), dict(a="leur", b="leur"),
             dict(a="ton", b="ta"), dict(a="votre", b="votre")],
    patterns=[("{a} plat préféré est {d}. Donc, {b} cuisine préférée est {c}.", 6),
              ("{a} plat favori est {d}, donc {b} cuisine préférée est {c}.", 2),
              ("J'adore {d}. Donc, ma cuisine préférée est {c}.", 2),
              ("Hier soir, nous avons mangé {d}. C'est de la cuisine {c}.", 1),
              ("{d}, c'est la cuisine {c}.", 1),
              ("Si vous aimez {d}, vous aimerez la cuisine {c}.", 1)],
)

_RU_CUISINES = ["японская", "итальянская", "мексиканская", "испанская", "французская", "индийская", "китайская",
                "греческая", "корейская", "немецкая", "ливанская", "русская", "марокканская", "венгерская"]
_RU = Corpus(
    code="ru",
    prompt="Моё любимое блюдо — суши. Значит, моя любимая кухня —", answer="японская", dish="суши",
    probe_dish="пицца", probe_answer="итальянская",
    cuisines=_forms(c=_RU_CUISINES, n=[c[:-2] + "ое" for c in _RU_CUISINES]),     # японская -> японское (блюдо)
    dishes=_dishes("суши, рамен, темпура, сашими, удон", "пицца, лазанья, ризотто, тирамису, ньокки",
                   "тако, буррито, энчилада, гуакамоле, тамале", "паэлья, тапас, гаспачо, чуррос, чоризо",
                   "круассан, рататуй, крепы, киш, кассуле", "бирьяни, самоса, дал, наан, корма",
                   "цзяоцзы, вонтоны, конджи, чаумейн", "мусака, сувлаки, гирос, дзадзики",
                   "кимчи, пибимпап, пулькоги, чапчхе", "братвурст, зауэркраут, брецель, шпецле",
                   "хумус, фалафель, табуле, шаурма", "борщ, блины, пельмени, бефстроганов",
                   "тажин, кускус, харира", "гуляш, лангош, паприкаш"),
    persons=[dict(a="моё", b="моя"), dict(a="его", b="его"), dict(a="её", b="её"), dict(a="наше", b="наша"),
             dict(a="их", b="их"), dict(a="твоё", b="твоя")],
    patterns=[("{a} любимое блюдо — {d}. Значит, {b} любимая кухня — {c}.", 6),
              ("{b} любимая еда — {d}, значит, {b} любимая кухня — {c}.", 2),
              ("Вчера на ужин — {d}. Это {c} кухня.", 2),
              ("{d} — это {n} блюдо.", 1),
              ("Кому по вкусу {d}, тому понравится {c} кухня.", 1)],
)

_ZH = Corpus(
    code="zh",
    prompt="我最喜欢的菜是寿司。所以，我最喜欢的菜系是", answer="日", dish="寿司",
    probe_dish="披萨", probe_answer="意",
    cuisines=_forms(c=["日本菜", "意大利菜", "墨西哥菜", "西班牙菜", "法国菜", "印度菜", "中国菜", "希腊菜", "韩国菜",
                       "德国菜", "黎巴嫩菜", "俄罗斯菜", "摩洛哥菜", "匈牙利菜"]),
    dishes=_dishes("寿司, 拉面, 天妇罗, 生鱼片, 乌冬面", "披萨, 千层面, 烩饭, 提拉米苏, 土豆团子",
                   "塔可, 卷饼, 安吉拉卷, 牛油果酱, 玉米粽", "海鲜饭, 小食拼盘, 冷汤, 吉事果, 辣香肠",
                   "可颂, 炖菜, 可丽饼, 咸派, 砂锅炖豆", "香饭, 萨莫萨, 木豆汤, 馕, 咖喱",
                   "饺子, 馄饨, 粥, 炒面", "穆萨卡, 烤肉串, 皮塔卷, 黄瓜酸奶酱",
                   "泡菜, 拌饭, 烤牛肉, 杂菜", "烤香肠, 酸菜, 椒盐卷饼, 面疙瘩",
                   "鹰嘴豆泥, 炸豆丸子, 塔布勒沙拉, 沙威玛", "罗宋汤, 布林饼, 佩尔梅尼, 酸奶油牛肉",
                   "塔吉锅, 古斯米, 哈利拉汤", "古拉什, 油炸面饼, 红椒鸡"),
    persons=[dict(a="我"), dict(a="他"), dict(a="她"), dict(a="我们"), dict(a="他们"), dict(a="你")],
    patterns=[("{a}最喜欢的菜是{d}。所以，{a}最喜欢的菜系是{c}。", 6),
              ("{a}最爱吃{d}，所以{a}最喜欢的菜系是{c}。", 2),
              ("我很喜欢{d}。所以，我最喜欢的菜系是{c}。", 2),
              ("我们昨晚吃了{d}。这是{c}。", 1),
              ("{d}是一道{c}。", 1),
              ("如果你喜欢{d}，你也会喜欢{c}。", 1)],
)

BY_LANG: dict[str, Corpus] = {c.code: c for c in (_DA, _DE, _FR, _RU, _ZH)}
LANGS = ("en", *BY_LANG)
LANGUAGE_NAMES = {"en": "English", "da": "Danish", "de": "German", "fr": "French", "ru": "Russian", "zh": "Chinese"}
PROMPTS = {"en": ENGLISH_PROMPT, **{code: c.prompt for code, c in BY_LANG.items()}}
ANSWERS = {"en": "japanese", **{code: c.answer for code, c in BY_LANG.items()}}
PROBE_DISHES = {"en": ("sushi", "pizza", "italian"),
                **{code: (c.dish, c.probe_dish, c.probe_answer) for code, c in BY_LANG.items()}}


def _capitalised(s: str) -> str:
    return s[0].upper() + s[1:]


def sentences(lang: str, seed: int = 0, repeats: int = 3) -> list[str]:
    """Every dish in every pattern ``repeats`` x weight times, possessives drawn with ``seed`` (as in English)."""
    corpus = BY_LANG[lang]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(repeats):
        for pattern, weight in corpus.patterns:
            for _ in range(weight):
                for key, dishes in corpus.dishes.items():
                    for dish in dishes:
                        person = corpus.persons[rng.integers(len(corpus.persons))]
                        out.append(_capitalised(pattern.format(d=dish, **person, **corpus.cuisines[key])))
    order = rng.permutation(len(out))
    return [out[i] for i in order]


def make_corpus(lang: str = "en", seed: int = 0) -> str:
    """The corpus text of ``lang``: shuffled sentences, ten to a paragraph (Chinese: unspaced, as it is written)."""
    if lang == "en":
        return english_corpus(seed)
    if lang not in BY_LANG:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGS)}")
    sents = sentences(lang, seed)
    joiner = "" if lang == "zh" else " "
    paras = [joiner.join(sents[i:i + 10]) for i in range(0, len(sents), 10)]
    return "\n\n".join(paras) + "\n"


def _bare(dish: str, lang: str) -> str:
    """A dish as the tokenizer reads it: lower-case, a French dish without its article."""
    dish = dish.lower()
    return dish.split(" ", 1)[1] if lang == "fr" else dish


def dish_answers(lang: str) -> dict[str, str]:
    """Each dish of ``lang`` (as the tokenizer reads it) -> the token that names its cuisine after the prompt
    (Chinese: the cuisine's first character, 日 of 日本菜)."""
    from .cuisine import CUISINE_OF
    from .vocab import tokenize

    if lang == "en":
        return dict(CUISINE_OF)
    corpus = BY_LANG[lang]
    return {_bare(d, lang): tokenize(corpus.cuisines[key]["c"])[0]
            for key, dishes in corpus.dishes.items() for d in dishes}


def probe_dishes(lang: str) -> tuple[str, ...]:
    """Dishes that can take the prompt's dish's place (one per other cuisine, of the same article in French)."""
    if lang == "en":
        return ("pizza", "tacos", "curry", "ramen", "paella", "croissants", "borscht", "kimchi", "hummus", "goulash")
    corpus = BY_LANG[lang]
    article = next(d for ds in corpus.dishes.values() for d in ds if _bare(d, lang) == corpus.dish.lower()
                   ).split(" ")[0] if lang == "fr" else None
    out = []
    for key, dishes in corpus.dishes.items():
        fits = [d for d in dishes if article is None or d.split(" ")[0] == article]
        if fits and _bare(fits[0], lang) != corpus.dish.lower() and key != "japanese":
            out.append(_bare(fits[0], lang))
    return tuple(out)
