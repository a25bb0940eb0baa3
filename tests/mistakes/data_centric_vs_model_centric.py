"""Beginner mistakes in data_centric_vs_model_centric: each must fail its exercise's public test naming the rule."""

from labrun import Mistake

_HTML = "def is_html(text: str) -> bool:\n"
_BOILERPLATE = "def find_boilerplate(texts, *, min_count: int = 10, patterns=()) -> np.ndarray:\n"


def _boilerplate(
    digits=r'r"[0-9]+"',
    others=r'r"[^a-z0-9]+"',
    joiner='" "',
    strip=".strip()",
    compare="counts[form] >= min_count",
    pattern_text="text.lower()",
    min_count="min_count",
):
    """A find_boilerplate answer with one piece swapped."""
    return (
        _BOILERPLATE
        + "    texts = list(texts)\n"
        + f"    normalised = [re.sub({others}, {joiner}, re.sub({digits}, '0', t.lower())){strip} for t in texts]\n"
        + "    counts = Counter(normalised)\n"
        + f"    min_count = {min_count}\n"
        + f"    repeated = np.array([{compare} for form in normalised], dtype=bool)\n"
        + f"    matches = np.array([any(p in {pattern_text} for p in patterns) for text in texts], dtype=bool)\n"
        + "    return repeated | matches\n"
    )


_NEAR = "def find_near_duplicates(texts, *, k: int = 5, threshold: float = 0.7, block_size: int = 500) -> np.ndarray:\n"


def _near(
    normalise='" ".join(text.lower().split())',
    k="k",
    compare=">=",
    earlier="jaccard[np.arange(stop)[None, :] >= rows] = 0.0",
    empty="np.divide(shared, union, out=np.zeros(shared.shape), where=union > 0)",
):
    """A vectorised find_near_duplicates answer with one piece swapped."""
    return (
        _NEAR
        + f"    normalised = [{normalise} for text in texts]\n"
        + "    flags = np.zeros(len(normalised), dtype=bool)\n"
        + "    if not any(len(text) >= k for text in normalised):\n"
        + "        return flags\n"
        + f"    vectorizer = CountVectorizer(analyzer='char', ngram_range=({k}, {k}), binary=True, lowercase=False)\n"
        + "    shingles = vectorizer.fit_transform(normalised).astype(np.int64)\n"
        + "    sizes = np.asarray(shingles.sum(axis=1)).ravel()\n"
        + "    n = len(normalised)\n"
        + "    for start in range(0, n, block_size):\n"
        + "        stop = min(start + block_size, n)\n"
        + "        shared = (shingles[start:stop] @ shingles[:n].T).toarray()\n"
        + "        union = sizes[start:stop, None] + sizes[None, :n] - shared\n"
        + "        with np.errstate(invalid='ignore', divide='ignore'):\n"
        + f"            jaccard = {empty}\n"
        + "        rows = np.arange(start, stop)[:, None]\n"
        + f"        {earlier.replace('stop', 'n')}\n"
        + f"        flags[start:stop] = (jaccard {compare} threshold).any(axis=1)\n"
        + "    return flags\n"
    )


_OOS = "def out_of_sample_proba(model, X, s, *, n_folds: int = 5, seed: int = 0) -> np.ndarray:\n"
_FOLDS = "    folds = StratifiedKFold(n_folds, shuffle=True, random_state=seed)\n"
_C = (
    "def estimate_c(proba_labeled, s) -> float:\n"
    "    proba_labeled, s = np.asarray(proba_labeled, dtype=float), np.asarray(s)\n"
)
_RESCALE = "def rescale_proba(proba_labeled, c: float) -> np.ndarray:\n"

MISTAKES = {
    "test_is_html": [
        Mistake(
            what="any '<' counts as markup",
            rule="a tag name starts with a letter",
            answers={"is_html": _HTML + '    return "<" in text\n'},
        ),
        Mistake(
            what="anything between '<' and '>'",
            rule="a tag name starts with a letter right after '<'",
            answers={"is_html": _HTML + '    return re.search(r"<[^<>]+>", text) is not None\n'},
        ),
        Mistake(
            what="returns the match object",
            rule="expected a Python bool",
            answers={"is_html": _HTML + '    return re.search(r"</?[A-Za-z][A-Za-z0-9-]*(\\s[^<>]*)?/?>", text)\n'},
        ),
        Mistake(
            what="opening tags without attributes only",
            rule="a closing tag",
            answers={"is_html": _HTML + '    return re.search(r"<[A-Za-z][A-Za-z0-9-]*>", text) is not None\n'},
        ),
        Mistake(
            what="no attributes",
            rule="attributes",
            answers={"is_html": _HTML + '    return re.search(r"</?[A-Za-z][A-Za-z0-9-]*/?>", text) is not None\n'},
        ),
        Mistake(
            what="no self-closing '/>'",
            rule="self-closing",
            answers={
                "is_html": _HTML + '    return re.search(r"</?[A-Za-z][A-Za-z0-9-]*(\\s[^<>]*)?>", text) is not None\n'
            },
        ),
        Mistake(
            what="lower-case letters only in tag names",
            rule="upper-case and contain digits",
            answers={"is_html": _HTML + '    return re.search(r"</?[a-z][a-z-]*(\\s[^<>]*)?/?>", text) is not None\n'},
        ),
        Mistake(
            what="re.match: a tag at the start of the text only",
            rule="search anywhere in the text",
            answers={
                "is_html": _HTML + '    return re.match(r"</?[A-Za-z][A-Za-z0-9-]*(\\s[^<>]*)?/?>", text) is not None\n'
            },
        ),
    ],
    "test_find_boilerplate": [
        Mistake(
            what="more than min_count instead of at least",
            rule="at least min_count",
            answers={"find_boilerplate": _boilerplate(compare="counts[form] > min_count")},
        ),
        Mistake(
            what="every digit becomes '0', not every run of digits",
            rule="every run of digits becomes one '0'",
            answers={"find_boilerplate": _boilerplate(digits='r"[0-9]"')},
        ),
        Mistake(
            what="the ends are not stripped",
            rule="ends stripped",
            answers={"find_boilerplate": _boilerplate(strip="")},
        ),
        Mistake(
            what="only the later copies are flagged, as duplicated() does",
            rule="the first one too",
            answers={
                "find_boilerplate": _BOILERPLATE
                + "    normalised = pd.Series([re.sub(r'[^a-z0-9]+', ' ', re.sub(r'[0-9]+', '0', t.lower())).strip()"
                + " for t in texts])\n"
                + "    counts = normalised.map(normalised.value_counts())\n"
                + "    repeated = ((counts >= min_count) & normalised.duplicated()).to_numpy()\n"
                + "    matches = np.array([any(p in t.lower() for p in patterns) for t in texts], dtype=bool)\n"
                + "    return repeated | matches\n"
            },
        ),
        Mistake(
            what="patterns searched in the raw text, case-sensitively",
            rule="in the lowercased text",
            answers={"find_boilerplate": _boilerplate(pattern_text="text")},
        ),
        Mistake(
            what="runs of other characters removed instead of replaced by a space",
            rule="by a single space",
            answers={"find_boilerplate": _boilerplate(joiner='""')},
        ),
        Mistake(
            what="min_count ignored (always 3)",
            rule="Use the min_count passed in",
            answers={"find_boilerplate": _boilerplate(min_count="3")},
        ),
        Mistake(
            what="returns a list",
            rule="dtype bool",
            answers={
                "find_boilerplate": _BOILERPLATE
                + "    normalised = [re.sub(r'[^a-z0-9]+', ' ', re.sub(r'[0-9]+', '0', t.lower())).strip()"
                + " for t in texts]\n"
                + "    counts = Counter(normalised)\n"
                + "    return [counts[f] >= min_count or any(p in t.lower() for p in patterns)"
                + " for f, t in zip(normalised, texts)]\n"
            },
        ),
    ],
    "test_find_near_duplicates": [
        Mistake(
            what="compares with every other row, so the first copy is flagged too",
            rule="earlier row j < i",
            answers={"find_near_duplicates": _near(earlier="jaccard[np.arange(stop)[None, :] == rows] = 0.0")},
        ),
        Mistake(
            what="no lowercasing",
            rule="lowercase each text first",
            answers={"find_near_duplicates": _near(normalise='" ".join(text.split())')},
        ),
        Mistake(
            what="whitespace not collapsed",
            rule="Collapse the whitespace",
            answers={"find_near_duplicates": _near(normalise="text.lower()")},
        ),
        Mistake(
            what="strictly above the threshold",
            rule="at least the threshold (>=)",
            answers={"find_near_duplicates": _near(compare=">")},
        ),
        Mistake(
            what="k ignored (always 5-shingles)",
            rule="use the k passed in",
            answers={"find_near_duplicates": _near(k="5")},
        ),
        Mistake(
            what="two empty shingle sets count as identical",
            rule="two empty sets have Jaccard similarity 0",
            answers={
                "find_near_duplicates": _near(empty="np.where(union > 0, shared / np.maximum(union, 1), 1.0)").replace(
                    "    if not any(len(text) >= k for text in normalised):\n        return flags\n",
                    "    if not any(len(text) >= k for text in normalised):\n"
                    "        return np.arange(len(normalised)) > 0\n",
                )
            },
        ),
        Mistake(
            what="a Python loop over every pair of shingle sets",
            rule="Do not loop over pairs in Python",
            answers={
                "find_near_duplicates": _NEAR
                + "    sets = []\n"
                + "    for text in texts:\n"
                + "        t = ' '.join(text.lower().split())\n"
                + "        sets.append({t[i : i + k] for i in range(len(t) - k + 1)})\n"
                + "    flags = [any(len(a | b) > 0 and len(a & b) / len(a | b) >= threshold for b in sets[:i])"
                + " for i, a in enumerate(sets)]\n"
                + "    return np.array(flags, dtype=bool)\n"
            },
        ),
        Mistake(
            what="CountVectorizer on texts that have no shingle at all (empty vocabulary)",
            rule="A text shorter than k has no shingles",
            answers={
                "find_near_duplicates": _near().replace(
                    "    if not any(len(text) >= k for text in normalised):\n        return flags\n", ""
                )
            },
        ),
    ],
    "test_out_of_sample_proba": [
        Mistake(
            what="in-sample probabilities",
            rule="out-of-sample",
            answers={"out_of_sample_proba": _OOS + "    return clone(model).fit(X, s).predict_proba(X)[:, 1]\n"},
        ),
        Mistake(
            what="column 0 of predict_proba",
            rule="column 1 of predict_proba",
            answers={
                "out_of_sample_proba": _OOS
                + _FOLDS
                + "    return cross_val_predict(clone(model), X, s, cv=folds, method='predict_proba')[:, 0]\n"
            },
        ),
        Mistake(
            what="both columns returned",
            rule="Return only the probability column of class 1, predict_proba's [:, 1], not both columns",
            answers={
                "out_of_sample_proba": _OOS
                + _FOLDS
                + "    return cross_val_predict(clone(model), X, s, cv=folds, method='predict_proba')\n"
            },
        ),
        Mistake(
            what="cv=n_folds: unshuffled folds",
            rule="cv=StratifiedKFold(n_folds, shuffle=True, random_state=seed)",
            answers={
                "out_of_sample_proba": _OOS
                + "    return cross_val_predict(clone(model), X, s, cv=n_folds, method='predict_proba')[:, 1]\n"
            },
        ),
        Mistake(
            what="the seed is ignored",
            rule="cv=StratifiedKFold(n_folds, shuffle=True, random_state=seed)",
            answers={
                "out_of_sample_proba": _OOS
                + "    folds = StratifiedKFold(n_folds, shuffle=True, random_state=0)\n"
                + "    return cross_val_predict(clone(model), X, s, cv=folds, method='predict_proba')[:, 1]\n"
            },
        ),
        Mistake(
            what="predicted labels instead of probabilities",
            rule="method='predict_proba'",
            answers={
                "out_of_sample_proba": _OOS
                + _FOLDS
                + "    return cross_val_predict(clone(model), X, s, cv=folds).astype(float)\n"
            },
        ),
        Mistake(
            what="a fold loop that fits the model passed in",
            rule="must stay unfitted",
            answers={
                "out_of_sample_proba": _OOS
                + _FOLDS
                + "    proba = np.zeros(len(s))\n"
                + "    for train, held_out in folds.split(X, s):\n"
                + "        proba[held_out] = model.fit(X[train], s[train]).predict_proba(X[held_out])[:, 1]\n"
                + "    return proba\n"
            },
        ),
    ],
    "test_estimate_c": [
        Mistake(
            what="the mean over every row",
            rule="Average only over the labeled rows",
            answers={"estimate_c": _C + "    return float(proba_labeled.mean())\n"},
        ),
        Mistake(
            what="the mean over the unlabeled rows",
            rule="Average only over the labeled rows",
            answers={"estimate_c": _C + "    return float(proba_labeled[s == 0].mean())\n"},
        ),
        Mistake(
            what="no check for an empty labeled set (returns nan)",
            rule="Raise a ValueError when no row has s == 1",
            answers={
                "estimate_c": _C
                + "    with np.errstate(invalid='ignore'):\n"
                + "        return float(np.nanmean(proba_labeled[s == 1]) if (s == 1).any() else np.nan)\n"
            },
        ),
        Mistake(
            what="a one-element array instead of a float",
            rule="expected a Python float",
            answers={"estimate_c": _C + "    return np.atleast_1d(proba_labeled[s == 1].mean())\n"},
        ),
        Mistake(
            what="the wrong exception when no row is labeled",
            rule="Raise a ValueError when no row has s == 1",
            answers={
                "estimate_c": _C
                + "    labeled = proba_labeled[s == 1]\n"
                + "    if labeled.size == 0:\n"
                + "        raise RuntimeError('no labeled rows')\n"
                + "    return float(labeled.mean())\n"
            },
        ),
    ],
    "test_rescale_proba": [
        Mistake(
            what="not clipped",
            rule="Clip the result to [0, 1]",
            answers={"rescale_proba": _RESCALE + "    return np.asarray(proba_labeled, dtype=float) / c\n"},
        ),
        Mistake(
            what="multiplies by c",
            rule="Divide g(x) by c",
            answers={
                "rescale_proba": _RESCALE + "    return np.clip(np.asarray(proba_labeled, dtype=float) * c, 0, 1)\n"
            },
        ),
        Mistake(
            what="returns a list",
            rule="expected a numpy array",
            answers={"rescale_proba": _RESCALE + "    return [min(p / c, 1.0) for p in proba_labeled]\n"},
        ),
    ],
}
