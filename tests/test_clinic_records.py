"""The clinic records: the split, its ground truth of membership, the training plumbing and the accountant."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from dcai_helpers import clinic_records
from dcai_helpers.clinic_records import (
    gaussian_rdp_epsilon,
    load_clinic_records,
    make_mlp,
    train_dp_sgd,
    train_dp_sgd_opacus,
    train_mlp,
)


@pytest.fixture(scope="module")
def records():
    return load_clinic_records(seed=0)


def _rows(X):
    return {row.tobytes() for row in X}


def test_shapes_and_dtypes(records):
    n_features = clinic_records.N_FEATURES
    assert records.member_X.shape == (clinic_records.N_MEMBERS, n_features)
    assert records.audit_X.shape == (clinic_records.N_MEMBERS + clinic_records.N_NON_MEMBERS, n_features)
    assert records.attacker_X.shape == (clinic_records.N_ATTACKER, n_features)
    assert len(records.test_X) == clinic_records.N_RECORDS - len(records.audit_X) - len(records.attacker_X)
    assert records.member_X.dtype == np.float32 and records.audit_is_member.dtype == bool
    assert int(records.audit_is_member.sum()) == clinic_records.N_MEMBERS


def test_membership_ground_truth_is_exact(records):
    members = _rows(records.member_X)
    flagged = _rows(records.audit_X[records.audit_is_member])
    unflagged = _rows(records.audit_X[~records.audit_is_member])
    assert flagged == members
    assert not unflagged & members


def test_attacker_and_test_records_are_disjoint_from_the_audit(records):
    audit = _rows(records.audit_X)
    assert not _rows(records.attacker_X) & audit
    assert not _rows(records.test_X) & audit
    assert not _rows(records.test_X) & _rows(records.attacker_X)


def test_every_part_has_the_same_class_counts(records):
    # Members and non-members with different class counts would leak membership through class priors.
    per_class = clinic_records.N_MEMBERS // clinic_records.N_CLASSES
    assert np.bincount(records.member_y).tolist() == [per_class] * clinic_records.N_CLASSES
    assert np.bincount(records.audit_y[~records.audit_is_member]).tolist() == [per_class] * clinic_records.N_CLASSES


def test_same_seed_same_records_other_seed_other_records(records):
    again = load_clinic_records(seed=0)
    assert np.array_equal(again.audit_X, records.audit_X)
    assert np.array_equal(again.audit_is_member, records.audit_is_member)
    assert not np.array_equal(load_clinic_records(seed=1).member_X, records.member_X)


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError), ("0", TypeError)])
def test_bad_seed_is_refused(seed, error):
    with pytest.raises(error, match="`seed` must be"):
        load_clinic_records(seed=seed)


def test_datasheet_has_the_contract_headings():
    for heading in ("Origin", "Size", "Licence", "Injected"):
        assert heading in clinic_records.DATASHEET


def test_make_mlp_shape_and_seed():
    model = make_mlp(5, 3, hidden=(7,), seed=0)
    assert model(torch.zeros(2, 5)).shape == (2, 3)
    same = make_mlp(5, 3, hidden=(7,), seed=0)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), same.parameters(), strict=True))
    with pytest.raises(ValueError, match="positive integers"):
        make_mlp(5, 0, seed=0)


def test_train_mlp_fits_the_members_and_checks_its_input(records):
    # The lab's target recipe: long enough to fit every member.
    model = train_mlp(
        make_mlp(clinic_records.N_FEATURES, 10, seed=0),
        records.member_X,
        records.member_y,
        epochs=60,
        batch_size=256,
        lr=1e-2,
        seed=0,
        progress=False,
    )
    with torch.no_grad():
        predicted = model(torch.as_tensor(records.member_X)).argmax(dim=1).numpy()
    assert (predicted == records.member_y).mean() == 1.0
    with pytest.raises(ValueError, match="`label_smoothing` must be in"):
        train_mlp(
            make_mlp(clinic_records.N_FEATURES, 10, seed=0),
            records.member_X,
            records.member_y,
            epochs=1,
            batch_size=32,
            lr=1e-3,
            seed=0,
            label_smoothing=1.0,
            progress=False,
        )
    with pytest.raises(ValueError, match=r"`y` must be a 1-D integer \(class indices >= 0\) array"):
        train_mlp(
            make_mlp(clinic_records.N_FEATURES, 10, seed=0),
            records.member_X,
            records.member_y[:-1],
            epochs=1,
            batch_size=32,
            lr=1e-3,
            seed=0,
            progress=False,
        )


def _plain_gradient(model, params, X, y, *, clip_norm, noise_multiplier, expected_batch_size, generator):
    """Non-private mean gradient at ``params`` (enough to test the loop around it)."""
    weights = {name: value.clone().requires_grad_(True) for name, value in params.items()}
    loss = torch.nn.functional.cross_entropy(torch.func.functional_call(model, weights, (X,)), y, reduction="sum")
    return dict(zip(weights, torch.autograd.grad(loss / expected_batch_size, list(weights.values())), strict=True))


def test_train_dp_sgd_runs_the_gradient_it_is_given(records):
    model = train_dp_sgd(
        make_mlp(clinic_records.N_FEATURES, 10, hidden=(), seed=0),
        records.member_X,
        records.member_y,
        noisy_gradient=_plain_gradient,
        sample_rate=0.2,
        steps=100,
        lr=0.5,
        clip_norm=1.0,
        noise_multiplier=0.0,
        seed=0,
        progress=False,
    )
    with torch.no_grad():
        accuracy = (model(torch.as_tensor(records.test_X)).argmax(dim=1).numpy() == records.test_y).mean()
    assert accuracy > 0.5
    with pytest.raises(ValueError, match="`sample_rate` must be in"):
        train_dp_sgd(
            make_mlp(clinic_records.N_FEATURES, 10, seed=0),
            records.member_X,
            records.member_y,
            noisy_gradient=_plain_gradient,
            sample_rate=0.0,
            steps=1,
            lr=0.1,
            clip_norm=1.0,
            noise_multiplier=1.0,
            seed=0,
            progress=False,
        )


def _opacus_run(records, seed):
    return train_dp_sgd_opacus(
        make_mlp(clinic_records.N_FEATURES, 10, hidden=(16,), seed=0),
        records.member_X,
        records.member_y,
        sample_rate=0.1,
        steps=25,
        lr=0.5,
        clip_norm=1.0,
        noise_multiplier=1.5,
        seed=seed,
        progress=False,
    )


def test_opacus_run_is_reproducible_accounted_and_unhooked(records):
    model, accountant = _opacus_run(records, seed=0)
    again, _ = _opacus_run(records, seed=0)
    other, _ = _opacus_run(records, seed=1)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters(), strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(model.parameters(), other.parameters(), strict=True))
    # Opacus's accountant saw exactly the steps taken, at the sampling rate asked for: it proves our epsilon.
    theirs = accountant.get_epsilon(1e-5, alphas=list(clinic_records.RDP_ORDERS))
    assert math.isclose(theirs, gaussian_rdp_epsilon(1.5, 0.1, 25, 1e-5), rel_tol=1e-9)
    # The hooks are gone: a forward pass leaves no per-example gradients behind, and the model learned something.
    with torch.no_grad():
        accuracy = (model(torch.as_tensor(records.test_X)).argmax(dim=1).numpy() == records.test_y).mean()
    assert all(getattr(p, "grad_sample", None) is None for p in model.parameters())
    assert not any(module._forward_hooks or module._backward_hooks for module in model.modules())
    assert accuracy > 0.3


@pytest.mark.parametrize("sample_rate", [0.0, 0.3, 1 / 7])
def test_opacus_run_refuses_a_rate_it_cannot_sample(records, sample_rate):
    with pytest.raises(ValueError, match="`sample_rate` must be 1 / k"):
        train_dp_sgd_opacus(
            make_mlp(clinic_records.N_FEATURES, 10, seed=0),
            records.member_X,
            records.member_y,
            sample_rate=sample_rate,
            steps=1,
            lr=0.1,
            clip_norm=1.0,
            noise_multiplier=1.0,
            seed=0,
            progress=False,
        )


def test_accountant_full_batch_matches_the_closed_form():
    # Without sampling, T steps of the Gaussian mechanism have RDP T * order / (2 sigma^2) at every order.
    sigma, steps, delta = 4.0, 10, 1e-5
    expected = min(
        steps * order / (2 * sigma**2) + math.log1p(-1 / order) - (math.log(delta) + math.log(order)) / (order - 1)
        for order in clinic_records.RDP_ORDERS
    )
    assert math.isclose(gaussian_rdp_epsilon(sigma, 1.0, steps, delta), expected)


def test_accountant_reference_values_and_monotonicity():
    # opacus 1.6's RDPAccountant with alphas=RDP_ORDERS gives 3.2593 and 16.7739 for these settings.
    assert math.isclose(gaussian_rdp_epsilon(3.0, 0.2, 100, 1e-5), 3.2593, rel_tol=1e-4)
    assert math.isclose(gaussian_rdp_epsilon(1.0, 0.2, 100, 1e-5), 16.7739, rel_tol=1e-4)
    assert gaussian_rdp_epsilon(2.0, 0.1, 100, 1e-5) < gaussian_rdp_epsilon(2.0, 0.1, 200, 1e-5)
    assert gaussian_rdp_epsilon(2.0, 0.1, 100, 1e-5) < gaussian_rdp_epsilon(2.0, 0.2, 100, 1e-5)
    assert gaussian_rdp_epsilon(0.0, 0.1, 10, 1e-5) == math.inf
    assert gaussian_rdp_epsilon(1.0, 0.1, 0, 1e-5) == 0.0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((1.0, 0.0, 10, 1e-5), "`sample_rate`"),
        ((1.0, 0.1, -1, 1e-5), "`steps`"),
        ((1.0, 0.1, 10, 0.0), "`delta`"),
        ((-1.0, 0.1, 10, 1e-5), "`noise_multiplier`"),
    ],
)
def test_accountant_checks_its_input(arguments, message):
    with pytest.raises(ValueError, match=message):
        gaussian_rdp_epsilon(*arguments)
