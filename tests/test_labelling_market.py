"""Tests of dcai_helpers.labelling_market: the generated task, its ground truth and the budget-enforcing market."""

import numpy as np
import pytest

from dcai_helpers import labelling_market
from dcai_helpers.labelling_market import (
    ANNOTATORS,
    BudgetExceededError,
    LabellingMarket,
    deployment_set_for_grading,
    make_fixed_model,
    make_task,
)


@pytest.fixture(scope="module")
def task():
    return make_task()


def test_task_shapes_and_splits(task):
    assert task.X_seed.shape == (labelling_market.N_SEED, labelling_market.N_FEATURES)
    assert task.X_pool.shape == (labelling_market.N_POOL, labelling_market.N_FEATURES)
    assert task.X_validation.shape == (labelling_market.N_VALIDATION, labelling_market.N_FEATURES)
    assert task.seed_labels.shape == task.seed_true_labels.shape == (labelling_market.N_SEED,)
    assert set(np.unique(task.seed_true_labels)) == set(range(labelling_market.N_CLASSES))


def test_same_seed_same_task_and_other_seed_other_task(task):
    again = make_task(labelling_market.TASK_SEED)
    np.testing.assert_array_equal(task.X_pool, again.X_pool)
    np.testing.assert_array_equal(task.seed_labels, again.seed_labels)
    assert not np.array_equal(task.X_pool, make_task(1).X_pool)


def test_ground_truth_of_every_injected_problem(task):
    assert np.array_equal(task.seed_is_label_error, task.seed_labels != task.seed_true_labels)
    # The noise is concentrated: besides the outliers' random labels, only classes 1 and 3 are relabelled.
    noisy_classes = set(task.seed_true_labels[task.seed_is_label_error & ~task.seed_is_outlier].tolist())
    assert noisy_classes == set(labelling_market.SEED_LABEL_NOISE)
    copies = np.flatnonzero(task.pool_copies_validation_row >= 0)
    assert len(copies) == labelling_market.N_NEAR_DUPLICATES
    distance = np.linalg.norm(task.X_pool[copies] - task.X_validation[task.pool_copies_validation_row[copies]], axis=1)
    assert distance.max() < 0.2
    assert np.array_equal(task.pool_true_labels[copies], task.y_validation[task.pool_copies_validation_row[copies]])
    assert task.pool_is_outlier.sum() == labelling_market.N_POOL_OUTLIERS
    assert task.seed_is_outlier.sum() == labelling_market.N_SEED_OUTLIERS
    typical = np.median(np.linalg.norm(task.X_pool, axis=1))
    assert np.linalg.norm(task.X_pool[task.pool_is_outlier], axis=1).min() > 2 * typical
    assert task.pool_site_b.mean() < 0.1 < 0.2 < task.validation_site_b.mean()
    assert np.mean(task.pool_true_labels == labelling_market.RARE_CLASS) < 0.1


def test_deployment_set_is_private_and_drifted(task):
    X, y, is_site_b = deployment_set_for_grading()
    assert X.shape == (labelling_market.N_DEPLOYMENT, labelling_market.N_FEATURES) and y.shape == is_site_b.shape
    assert 0.3 < is_site_b.mean() < 0.5
    assert not any(name.startswith(("X_deploy", "deploy")) for name in vars(task))
    # Site B has drifted: its rows sit further from validation's site-B rows than those do from each other.
    drift = X[is_site_b].mean(axis=0) - task.X_validation[task.validation_site_b].mean(axis=0)
    assert np.linalg.norm(drift) > 0.3


def test_the_seed_set_alone_gets_site_b_wrong(task):
    model = make_fixed_model().fit(task.X_seed, task.seed_labels)
    correct = model.predict(task.X_validation) == task.y_validation
    assert correct[task.validation_site_b].mean() < 0.3 < 0.6 < correct[~task.validation_site_b].mean()


def test_market_charges_records_and_is_reproducible(task):
    market = LabellingMarket(task, budget=100, seed=5)
    labels = market.buy("pool", np.arange(20), annotator="crowd")
    relabels = market.buy("seed", [3, 4], annotator="expert")
    assert labels.shape == (20,) and relabels.shape == (2,)
    assert market.spent == 20 * ANNOTATORS["crowd"]["price"] + 2 * ANNOTATORS["expert"]["price"]
    assert market.remaining == 100 - market.spent
    assert [(p.source, p.annotator, p.cost) for p in market.purchases] == [("pool", "crowd", 20), ("seed", "expert", 8)]
    assert list(market.purchases[0].labels) == labels.tolist()
    again = LabellingMarket(task, budget=100, seed=5)
    assert again.buy("pool", np.arange(20), annotator="crowd").tolist() == labels.tolist()


def test_annotators_make_errors_at_their_rates(task):
    market = LabellingMarket(task, budget=10_000, seed=0)
    rows = np.arange(2000)
    crowd = market.buy("pool", rows, annotator="crowd")
    expert = market.buy("pool", rows[:1500], annotator="expert")
    assert abs(np.mean(crowd != task.pool_true_labels[rows]) - ANNOTATORS["crowd"]["error_rate"]) < 0.04
    assert np.mean(expert != task.pool_true_labels[rows[:1500]]) < 0.05


def test_market_refuses_a_purchase_over_budget_and_buys_nothing(task):
    market = LabellingMarket(task, budget=10, seed=0)
    market.buy("pool", [0, 1], annotator="expert")
    with pytest.raises(BudgetExceededError, match="never exceed the budget"):
        market.buy("pool", [2, 3], annotator="expert")
    assert market.spent == 8 and len(market.purchases) == 1
    market.buy("pool", [2, 3], annotator="crowd")
    assert market.remaining == 0


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("valid", [0]), ValueError, "`source` must be one of"),
        (("pool", [0], "intern"), ValueError, "`annotator` must be one of"),
        (("pool", [[0, 1]]), ValueError, "`indices` must be a 1-D integer array"),
        (("pool", [0.5]), ValueError, "`indices` must be a 1-D integer array"),
        (("seed", [250]), ValueError, "`indices` must be distinct rows of the seed set"),
        (("pool", [1, 1]), ValueError, "`indices` must be distinct rows"),
    ],
)
def test_market_validates_purchases(task, args, error, message):
    with pytest.raises(error, match=message):
        LabellingMarket(task, budget=100).buy(*args)


def test_market_validates_its_arguments(task):
    with pytest.raises(TypeError, match="`task` must be a DataEngineTask"):
        LabellingMarket("task")
    with pytest.raises(ValueError, match="`budget` must be at least 0"):
        LabellingMarket(task, budget=-1)
    with pytest.raises(TypeError, match="`seed` must be an int"):
        make_task(seed=0.5)


def test_datasheet_has_every_heading_and_splits_at_injected():
    for heading in ("**Origin.**", "**Size.**", "**Licence.**", "**Injected.**"):
        assert heading in labelling_market.DATASHEET
    assert "**Injected.**" not in labelling_market.DATASHEET_OVERVIEW


def test_this_weeks_traffic_is_drawn_as_deployment_and_sold_by_the_market(task):
    assert task.X_recent.shape == (labelling_market.N_RECENT, labelling_market.N_FEATURES)
    assert task.X_holdout.shape == (labelling_market.N_HOLDOUT, labelling_market.N_FEATURES)
    assert task.y_holdout.shape == task.holdout_site_b.shape == (labelling_market.N_HOLDOUT,)
    assert 0.3 < task.recent_site_b.mean() < 0.5 and 0.3 < task.holdout_site_b.mean() < 0.5
    # Site B of this week sits where deployment's site B does, away from validation's site-B rows.
    X_deploy, _, deploy_site_b = deployment_set_for_grading()
    centre = {
        "recent": task.X_recent[task.recent_site_b].mean(axis=0),
        "deployment": X_deploy[deploy_site_b].mean(axis=0),
        "validation": task.X_validation[task.validation_site_b].mean(axis=0),
    }
    assert np.linalg.norm(centre["recent"] - centre["deployment"]) < 0.5
    assert np.linalg.norm(centre["recent"] - centre["validation"]) > 0.7
    market = LabellingMarket(task, budget=8, seed=0)
    labels = market.buy("recent", [0, 1], annotator="expert")
    assert labels.shape == (2,) and market.spent == 8 and market.purchases[0].source == "recent"
    with pytest.raises(ValueError, match="`source` must be one of"):
        market.buy("holdout", [0], annotator="crowd")
