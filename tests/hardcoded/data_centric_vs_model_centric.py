"""Hard-coded answers for data_centric_vs_model_centric.

Each passes its exercise's public checks and must fail the hidden ones.
"""

HARDCODED = {
    # test cell grade_id -> {solution cell grade_id -> full replacement source of that solution cell}
    "test_is_html": {
        "is_html": 'def is_html(text: str) -> bool:\n    return text.startswith("<p>")\n',
    },
    "test_find_boilerplate": {
        "find_boilerplate": (
            "def find_boilerplate(texts, *, min_count: int = 10, patterns=()) -> np.ndarray:\n"
            "    return np.array([True, True, False, True, True])\n"
        ),
    },
    "test_find_near_duplicates": {
        "find_near_duplicates": (
            "def find_near_duplicates(texts, *, k=5, threshold=0.7, block_size=500) -> np.ndarray:\n"
            "    return np.array([False, True, False, True])\n"
        ),
    },
    "test_out_of_sample_proba": {
        "out_of_sample_proba": (
            "def out_of_sample_proba(model, X, s, *, n_folds: int = 5, seed: int = 0) -> np.ndarray:\n"
            "    return np.where(np.asarray(s) == 1, 0.6, 0.2)\n"
        ),
    },
    "test_estimate_c": {
        "estimate_c": "def estimate_c(proba_labeled, s) -> float:\n    return 0.5\n",
    },
    "test_rescale_proba": {
        "rescale_proba": "def rescale_proba(proba_labeled, c):\n    return np.array([0.2, 0.5, 1.0])\n",
    },
}
