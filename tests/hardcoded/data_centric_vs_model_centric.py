"""Hard-coded answers for data_centric_vs_model_centric.

Each passes its exercise's public checks and must fail the hidden ones. The public checks pin every stated rule
on small worked cases, so each answer here recognises those cases and returns their expected result, and
returns something useless on any other input.
"""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_is_html": {
        "is_html": (
            "def is_html(text: str) -> bool:\n"
            "    public = {\n"
            "        'Great blender, five stars <3': False, 'Rated 5 < 6 and 7 > 3': False,\n"
            "        '</div> Good kettle.': True, '<a href=\"/deals\">Deals': True, '<br/>Nice lamp': True,\n"
            "        '<H2>Verdict</H2> Five stars': True, \"Solid zip, see photo: <img src='z.jpg'>\": True,\n"
            "    }\n"
            "    return public.get(text, text.startswith('<p>'))\n"
        ),
    },
    "test_find_boilerplate": {
        "find_boilerplate": (
            "def find_boilerplate(texts, *, min_count: int = 10, patterns=()) -> np.ndarray:\n"
            "    public = {5: [True, True, False, True, True], 4: [True, True, False, True], 3: [False] * 3}\n"
            "    return np.array(public.get(len(texts), [False] * len(texts)), dtype=bool)\n"
        ),
    },
    "test_find_near_duplicates": {
        "find_near_duplicates": (
            "def find_near_duplicates(texts, *, k=5, threshold=0.7, block_size=500) -> np.ndarray:\n"
            "    if (k, threshold) not in {(5, 0.7), (4, 0.9), (3, 0.6)}:  # the public cases only\n"
            "        return np.zeros(len(texts), dtype=bool)\n"
            "    normalised = [' '.join(text.lower().split()) for text in texts]\n"
            "    flags = np.zeros(len(normalised), dtype=bool)\n"
            "    if not any(len(text) >= k for text in normalised):\n"
            "        return flags\n"
            "    vectorizer = CountVectorizer(analyzer='char', ngram_range=(k, k), binary=True, lowercase=False)\n"
            "    shingles = vectorizer.fit_transform(normalised).astype(np.int64)\n"
            "    sizes = np.asarray(shingles.sum(axis=1)).ravel()\n"
            "    shared = (shingles @ shingles.T).toarray()\n"
            "    union = sizes[:, None] + sizes[None, :] - shared\n"
            "    jaccard = np.divide(shared, union, out=np.zeros(shared.shape), where=union > 0)\n"
            "    return (np.tril(jaccard, k=-1) >= threshold).any(axis=1)\n"
        ),
    },
    "test_out_of_sample_proba": {
        "out_of_sample_proba": (
            "def out_of_sample_proba(model, X, s, *, n_folds: int = 5, seed: int = 0) -> np.ndarray:\n"
            "    if len(s) == 200:  # the public fixture\n"
            "        folds = StratifiedKFold(n_folds, shuffle=True, random_state=seed)\n"
            "        return cross_val_predict(clone(model), X, s, cv=folds, method='predict_proba')[:, 1]\n"
            "    return np.where(np.asarray(s) == 1, 0.6, 0.2)\n"
        ),
    },
    "test_estimate_c": {
        "estimate_c": (
            "def estimate_c(proba_labeled, s) -> float:\n"
            "    if not (np.asarray(s) == 1).any():\n"
            "        raise ValueError('no labeled row')\n"
            "    return 0.5\n"
        ),
    },
    "test_rescale_proba": {
        "rescale_proba": "def rescale_proba(proba_labeled, c):\n    return np.array([0.2, 0.5, 1.0])\n",
    },
}
