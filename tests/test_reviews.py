"""Tests of the scraped review corpus and the PU data of the data_centric_vs_model_centric lab."""

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.pipeline import make_pipeline

from dcai_helpers.reviews import (
    DATASHEET,
    DATASHEET_INJECTED,
    DATASHEET_OVERVIEW,
    JUNK_KINDS,
    PUData,
    ReviewCorpus,
    make_pu_data,
    make_reviews,
)

SMALL = {"n_html": 40, "n_boilerplate": 60, "n_duplicate": 50, "n_near_duplicate": 45}


@pytest.fixture(scope="module")
def corpus() -> ReviewCorpus:
    return make_reviews(400, 200, seed=5, **SMALL)


def test_datasheet_has_the_required_headings():
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert f"**{heading}.**" in DATASHEET


def test_datasheet_keeps_the_injected_junk_for_the_reveal():
    # The lab shows the overview before the detector exercises and what was injected only after them.
    assert "**Injected.**" not in DATASHEET_OVERVIEW
    assert "off-by-one join" not in DATASHEET_OVERVIEW
    assert DATASHEET_INJECTED.lstrip().startswith("**Injected.**")
    assert DATASHEET == DATASHEET_OVERVIEW + DATASHEET_INJECTED


def test_shapes_columns_and_counts(corpus):
    train, test = corpus.train, corpus.test
    assert list(train.columns) == ["text", "label", "junk_kind", "source_row"]
    assert list(test.columns) == ["text", "label"]
    assert len(train) == 400 + sum(SMALL.values()) and len(test) == 200
    counts = train["junk_kind"].value_counts()
    assert counts["none"] == 400 and counts["html"] == 40 and counts["boilerplate"] == 60
    assert counts["duplicate"] == 50 and counts["near_duplicate"] == 45
    assert set(train["junk_kind"]) <= set(JUNK_KINDS)
    assert set(train["label"]) == {0, 1} and set(test["label"]) == {0, 1}
    assert train["label"].dtype.kind == "i" and train["source_row"].dtype.kind == "i"


def test_classes_are_roughly_balanced(corpus):
    assert 0.35 < corpus.test["label"].mean() < 0.65
    assert 0.35 < corpus.train.loc[corpus.train["junk_kind"] == "none", "label"].mean() < 0.65


def test_copies_follow_their_source_with_the_opposite_label(corpus):
    train = corpus.train
    copies = train[train["source_row"] >= 0]
    assert set(copies["junk_kind"]) == {"duplicate", "near_duplicate"}
    assert (train.loc[train["source_row"] < 0, "junk_kind"].isin(["none", "html", "boilerplate"])).all()
    sources = train.loc[copies["source_row"]]
    assert (copies["source_row"].to_numpy() < copies.index.to_numpy()).all(), "a copy must come after its source"
    assert (sources["junk_kind"] == "none").all()
    assert (copies["label"].to_numpy() == 1 - sources["label"].to_numpy()).all()
    exact = copies["junk_kind"] == "duplicate"
    assert (copies.loc[exact, "text"].to_numpy() == sources.loc[exact.to_numpy(), "text"].to_numpy()).all()
    near = ~exact.to_numpy()
    assert (copies.loc[near, "text"].to_numpy() != sources.loc[near, "text"].to_numpy()).mean() > 0.9


def test_html_rows_have_tags_and_other_rows_do_not(corpus):
    train = corpus.train
    has_tag = train["text"].str.contains(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", regex=True)
    assert (has_tag == (train["junk_kind"] == "html")).all()
    assert not corpus.test["text"].str.contains("<", regex=False).any()


def test_boilerplate_repeats_across_rows(corpus):
    boilerplate = corpus.train.loc[corpus.train["junk_kind"] == "boilerplate", "text"]
    normalised = boilerplate.str.lower().str.replace(r"[0-9]+", "0", regex=True)
    assert normalised.nunique() < len(boilerplate) / 2


def test_junk_hurts_a_fixed_model_and_cleaning_helps():
    corpus = make_reviews(seed=0)
    train, test = corpus.train, corpus.test

    def accuracy(rows: pd.DataFrame) -> float:
        model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression(max_iter=1000))
        model.fit(rows["text"], rows["label"])
        return accuracy_score(test["label"], model.predict(test["text"]))

    raw, clean = accuracy(train), accuracy(train[train["junk_kind"] == "none"])
    assert 0.8 < clean < 0.97, "clean reviews must be learnable but not trivial"
    assert clean - raw > 0.04, f"the junk must cost a fixed model accuracy: raw {raw:.3f}, clean {clean:.3f}"


def test_reviews_seed_reproduces_and_changes_the_data():
    first, again, other = (make_reviews(100, 20, **SMALL, seed=s) for s in (7, 7, 8))
    pd.testing.assert_frame_equal(first.train, again.train)
    pd.testing.assert_frame_equal(first.test, again.test)
    assert not first.train["text"].equals(other.train["text"])


def test_no_junk_gives_a_clean_corpus():
    corpus = make_reviews(50, 10, n_html=0, n_boilerplate=0, n_duplicate=0, n_near_duplicate=0, seed=1)
    assert (corpus.train["junk_kind"] == "none").all() and (corpus.train["source_row"] == -1).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_train": 0}, ValueError, "`n_train` must be at least 1; got 0"),
        ({"n_test": 2.5}, TypeError, "`n_test` must be an int; got float"),
        ({"n_html": -1}, ValueError, "`n_html` must be at least 0; got -1"),
        ({"seed": True}, TypeError, "`seed` must be an int; got bool"),
    ],
)
def test_make_reviews_validates_its_input(kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_reviews(**kwargs)


def test_pu_data_shapes_and_selection():
    data = make_pu_data(5000, n_features=3, positive_fraction=0.4, label_frequency=0.25, seed=2)
    assert isinstance(data, PUData)
    assert data.X.shape == (5000, 3) and data.s.shape == data.y.shape == (5000,)
    assert set(np.unique(data.s)) == {0, 1} and set(np.unique(data.y)) == {0, 1}
    assert (data.y[data.s == 1] == 1).all(), "only positives can be labeled"
    n_pos = data.y.sum()
    assert abs(n_pos - 0.4 * 5000) < 5 * np.sqrt(0.24 * 5000)
    # c = P(s=1 | y=1) within a few binomial standard deviations.
    assert abs(data.s.sum() / n_pos - 0.25) < 5 * np.sqrt(0.25 * 0.75 / n_pos)
    assert data.label_frequency == 0.25


def test_pu_classes_are_separable_by_a_linear_model():
    data = make_pu_data(3000, seed=0)
    assert LogisticRegression().fit(data.X, data.y).score(data.X, data.y) > 0.9


def test_pu_seed_reproduces_and_changes_the_data():
    first, again, other = (make_pu_data(200, seed=s) for s in (3, 3, 4))
    np.testing.assert_array_equal(first.X, again.X)
    np.testing.assert_array_equal(first.s, again.s)
    assert not np.allclose(first.X, other.X)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_samples": 10}, ValueError, "`n_samples` must be at least 20; got 10"),
        ({"n_features": 0}, ValueError, "`n_features` must be at least 1; got 0"),
        ({"label_frequency": 0.0}, ValueError, "`label_frequency` must lie in (0.0, 1.0]; got 0.0"),
        ({"label_frequency": "half"}, TypeError, "`label_frequency` must be a number; got str"),
        ({"positive_fraction": 1.0}, ValueError, "`positive_fraction` must lie in (0.0, 0.99]; got 1.0"),
    ],
)
def test_make_pu_data_validates_its_input(kwargs, error, message):
    with pytest.raises(
        error, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]")
    ):
        make_pu_data(**kwargs)
