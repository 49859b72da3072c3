"""ExponentialLR, MultiStepLR, LambdaLR, LinearLR and ReduceLROnPlateau: lrs against closed forms and
hand-worked sequences, state dicts mid-schedule, errors."""

import bisect

import numpy as np
import pytest

from minigrad.io import load, save
from minigrad.optim import SGD
from minigrad.optim.lr_scheduler import ExponentialLR, LambdaLR, LinearLR, MultiStepLR, ReduceLROnPlateau
from minigrad.tensor import Tensor

BASES = (0.1, 0.5)


def param():
    return Tensor(np.zeros(2), requires_grad=True)


def two_group_sgd(lr_a=BASES[0], lr_b=BASES[1]):
    return SGD([{"params": [param()]}, {"params": [param()], "lr": lr_b}], lr=lr_a)


def lrs_over(scheduler, epochs):
    """The lrs at epochs 0..epochs (epoch 0 is construction)."""
    seen = [scheduler.get_last_lr()]
    for _ in range(epochs):
        scheduler.optimizer.step()
        scheduler.step()
        seen.append(scheduler.get_last_lr())
        assert [g["lr"] for g in scheduler.optimizer.param_groups] == seen[-1]
    return seen


# --- closed forms --------------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.9, 0.5, 1.0, 1.1])
def test_exponential_lr_is_base_times_gamma_to_the_epoch(gamma):
    seen = lrs_over(ExponentialLR(two_group_sgd(), gamma=gamma), 15)
    want = [[base * gamma**t for base in BASES] for t in range(16)]
    np.testing.assert_allclose(seen, want, rtol=1e-13)


@pytest.mark.parametrize("milestones, gamma", [([2, 5, 9], 0.1), ([9, 2, 5, 5], 0.5), ([0, 3], 0.5), ([], 0.1)])
def test_multistep_lr_counts_the_milestones_passed(milestones, gamma):
    seen = lrs_over(MultiStepLR(two_group_sgd(), milestones=milestones, gamma=gamma), 15)
    ordered = sorted(milestones)
    want = [[base * gamma ** bisect.bisect_right(ordered, t) for base in BASES] for t in range(16)]
    np.testing.assert_allclose(seen, want, rtol=1e-13)


def test_multistep_lr_worked_by_hand():
    scheduler = MultiStepLR(SGD([param()], lr=1.0), milestones=[3, 1, 3], gamma=0.5)
    assert [lrs[0] for lrs in lrs_over(scheduler, 5)] == [1.0, 0.5, 0.5, 0.125, 0.125, 0.125]
    assert scheduler.milestones == [1, 3, 3]


def test_lambda_lr_one_function_for_every_group():
    seen = lrs_over(LambdaLR(two_group_sgd(), lr_lambda=lambda epoch: 0.95**epoch), 15)
    np.testing.assert_allclose(seen, [[base * 0.95**t for base in BASES] for t in range(16)], rtol=1e-13)


def test_lambda_lr_one_function_per_group():
    functions = [lambda epoch: 1 / (epoch + 1), lambda epoch: epoch % 3]
    seen = lrs_over(LambdaLR(two_group_sgd(), lr_lambda=functions), 15)
    want = [[BASES[0] / (t + 1), BASES[1] * (t % 3)] for t in range(16)]
    np.testing.assert_allclose(seen, want, rtol=1e-13)


def test_lambda_lr_multiplies_initial_lr_not_the_current_lr():
    opt = SGD([param()], lr=2.0)
    scheduler = LambdaLR(opt, lambda epoch: 0.5)
    opt.param_groups[0]["lr"] = 100.0  # changed by hand: LambdaLR recomputes from initial_lr
    scheduler.step()
    assert scheduler.get_last_lr() == [1.0]


@pytest.mark.parametrize(
    "start, end, total",
    [(1 / 3, 1.0, 5), (1.0, 0.1, 4), (0.5, 0.5, 3), (0.25, 1.0, 1), (1.0, 0.0, 7), (0.01, 0.9, 10)],
)
def test_linear_lr_matches_its_closed_form(start, end, total):
    scheduler = LinearLR(two_group_sgd(), start_factor=start, end_factor=end, total_iters=total)
    seen = lrs_over(scheduler, 15)
    want = [[base * (start + (end - start) * min(t, total) / total) for base in BASES] for t in range(16)]
    np.testing.assert_allclose(seen, want, rtol=1e-12, atol=1e-15)


def test_linear_lr_defaults_worked_by_hand():
    scheduler = LinearLR(SGD([param()], lr=1.5))
    seen = [lrs[0] for lrs in lrs_over(scheduler, 7)]
    # factor 1/3 + (2/3) t / 5: 5/15, 7/15, 9/15, 11/15, 13/15, 15/15, then 1 for good
    np.testing.assert_allclose(seen, [1.5 * k / 15 for k in (5, 7, 9, 11, 13, 15, 15, 15)], rtol=1e-14)


# --- ReduceLROnPlateau -------------------------------------------------------------------------


def plateau_lrs(scheduler, metrics):
    seen = []
    for metric in metrics:
        scheduler.step(metric)
        seen.append(scheduler.get_last_lr()[0])
    return seen


def test_plateau_patience_and_relative_threshold():
    scheduler = ReduceLROnPlateau(SGD([param()], lr=1.0), factor=0.5, patience=2)
    metrics = [10, 9, 9, 9, 9, 8.9995, 8.999, 9, 9, 9, 9, 9, 9]
    # 8.9995 is better than 9, but not by more than 9 * 1e-4: a bad epoch. 8.999 is better.
    want = [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]
    assert plateau_lrs(scheduler, metrics) == want
    assert scheduler.best == 8.999 and scheduler.last_epoch == 13 and scheduler.num_bad_epochs == 0


def test_plateau_a_metric_exactly_at_the_threshold_is_not_better():
    scheduler = ReduceLROnPlateau(SGD([param()], lr=1.0), patience=0, threshold=0.5, threshold_mode="abs")
    assert plateau_lrs(scheduler, [2.0, 1.5, 1.4999]) == [1.0, 0.1, 0.1]
    assert scheduler.best == 1.4999


def test_plateau_cooldown_and_min_lr():
    scheduler = ReduceLROnPlateau(SGD([param()], lr=1.0), patience=1, cooldown=2, min_lr=0.001)
    seen = plateau_lrs(scheduler, [5.0] * 15)
    want = [1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001, 0.001]
    np.testing.assert_allclose(seen, want, rtol=1e-12)


def test_plateau_max_mode_with_absolute_threshold():
    scheduler = ReduceLROnPlateau(SGD([param()], lr=1.0), mode="max", patience=0, threshold=0.5, threshold_mode="abs")
    seen = plateau_lrs(scheduler, [0.1, 0.5, 0.7, 1.0, 1.4, 1.4])
    np.testing.assert_allclose(seen, [1.0, 0.1, 0.1, 0.01, 0.01, 0.001], rtol=1e-12)


def test_plateau_max_mode_relative_threshold():
    scheduler = ReduceLROnPlateau(SGD([param()], lr=1.0), mode="max", patience=0, threshold=0.1)
    # better means above best * 1.1
    assert plateau_lrs(scheduler, [1.0, 1.1, 1.11]) == [1.0, 0.1, 0.1]


def test_plateau_relative_threshold_on_negative_metrics_is_pytorchs():
    # "rel" compares with best * (1 - threshold); for a negative best that limit is above it,
    # so a slightly worse metric counts as better, exactly as in PyTorch.
    scheduler = ReduceLROnPlateau(SGD([param()], lr=1.0), patience=0, threshold=0.1)
    plateau_lrs(scheduler, [-1.0, -0.95])
    assert scheduler.best == -0.95 and scheduler.get_last_lr() == [1.0]


def test_plateau_skips_changes_smaller_than_eps():
    scheduler = ReduceLROnPlateau(SGD([param()], lr=1e-8), patience=0)
    assert plateau_lrs(scheduler, [1.0, 1.0, 1.0]) == [1e-8, 1e-8, 1e-8]  # 1e-8 - 1e-9 is not > eps
    scheduler = ReduceLROnPlateau(SGD([param()], lr=1e-8), patience=0, eps=1e-10)
    np.testing.assert_allclose(plateau_lrs(scheduler, [1.0, 1.0]), [1e-8, 1e-9], rtol=1e-12)


def test_plateau_groups_with_their_own_min_lr_and_a_tensor_metric():
    opt = two_group_sgd(lr_a=1.0, lr_b=1.0)
    scheduler = ReduceLROnPlateau(opt, patience=0, factor=0.5, min_lr=[0.3, 0.0])
    for metric in (3.0, 3.0, 3.0):
        scheduler.step(Tensor(np.array(metric)))
    assert scheduler.get_last_lr() == [0.3, 0.25]


@pytest.mark.parametrize("through_file", [False, True])
def test_plateau_resumes_where_it_stopped(through_file, tmp_path):
    metrics = [5.0, 4.0, 4.0, 3.9, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0]

    def make(opt):
        return ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1, threshold=0.05)

    opt = two_group_sgd()
    uninterrupted = plateau_lrs(make(opt), metrics)

    opt = two_group_sgd()
    scheduler = make(opt)
    resumed = plateau_lrs(scheduler, metrics[:6])
    checkpoint = {"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}
    if through_file:
        save(checkpoint, tmp_path / "ckpt.npz")
        checkpoint = load(tmp_path / "ckpt.npz")
    opt = two_group_sgd(lr_a=9.0, lr_b=9.0)
    scheduler = ReduceLROnPlateau(opt)  # other options: the state dict brings them back
    opt.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    assert scheduler.patience == 1 and scheduler.factor == 0.5 and scheduler.last_epoch == 6
    resumed += plateau_lrs(scheduler, metrics[6:])
    assert resumed == uninterrupted
    assert len(set(uninterrupted)) >= 3  # the sequence did reduce more than once


def test_plateau_failed_load_changes_nothing():
    scheduler = ReduceLROnPlateau(SGD([param()], lr=1.0), patience=3)
    plateau_lrs(scheduler, [2.0, 2.0])
    before = scheduler.state_dict()
    for change in ({"mode": "median"}, {"min_lrs": [0.0, 0.0]}, {"patience": -1}, {"factor": 2.0}):
        bad = dict(before, last_epoch=99, **change)
        with pytest.raises(ValueError):
            scheduler.load_state_dict(bad)
        assert scheduler.state_dict() == before
    with pytest.raises(ValueError, match="missing"):
        scheduler.load_state_dict({"mode": "min"})


# --- state dicts of the epoch schedulers ----------------------------------------------------------


MAKERS = {
    "exponential": lambda opt: ExponentialLR(opt, gamma=0.8),
    "multistep": lambda opt: MultiStepLR(opt, milestones=[2, 6, 6, 9], gamma=0.5),
    "linear": lambda opt: LinearLR(opt, start_factor=0.2, end_factor=0.9, total_iters=8),
    "lambda": lambda opt: LambdaLR(opt, [lambda t: 1 / (1 + t), lambda t: 0.9**t]),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
@pytest.mark.parametrize("through_file", [False, True])
def test_resumed_schedule_equals_the_uninterrupted_one(name, through_file, tmp_path):
    uninterrupted = lrs_over(MAKERS[name](two_group_sgd()), 14)

    opt = two_group_sgd()
    scheduler = MAKERS[name](opt)
    resumed = lrs_over(scheduler, 5)
    checkpoint = {"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}
    if through_file:
        save(checkpoint, tmp_path / "ckpt.npz")
        checkpoint = load(tmp_path / "ckpt.npz")
    opt = two_group_sgd(lr_a=9.0, lr_b=9.0)
    scheduler = MAKERS[name](opt)
    opt.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    assert scheduler.last_epoch == 5 and scheduler.get_last_lr() == resumed[-1]
    resumed += lrs_over(scheduler, 9)[1:]
    np.testing.assert_allclose(resumed, uninterrupted, rtol=1e-15)


def test_state_dict_contents():
    opt = SGD([param()], lr=0.1)
    assert MultiStepLR(opt, milestones=[5, 2], gamma=0.5).state_dict() == {
        "last_epoch": 0,
        "base_lrs": [0.1],
        "last_lr": [0.1],
        "milestones": [2, 5],
        "gamma": 0.5,
    }
    state = LinearLR(SGD([param()], lr=0.1), start_factor=0.5, total_iters=3).state_dict()
    assert (state["start_factor"], state["end_factor"], state["total_iters"]) == (0.5, 1.0, 3)
    assert state["last_lr"] == [0.05]


def test_a_failed_load_changes_nothing():
    scheduler = MultiStepLR(two_group_sgd(), milestones=[3], gamma=0.5)
    before = scheduler.state_dict()
    with pytest.raises(ValueError, match="milestone"):
        scheduler.load_state_dict(dict(before, milestones=[2, -1], last_epoch=7))
    with pytest.raises(ValueError, match="2 parameter groups"):
        scheduler.load_state_dict(dict(before, base_lrs=[0.1]))
    assert scheduler.state_dict() == before


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda opt: ExponentialLR(opt, gamma="0.9"), TypeError, "gamma"),
        (lambda opt: MultiStepLR(opt, milestones=[2, 1.5]), ValueError, "milestone.*1.5"),
        (lambda opt: MultiStepLR(opt, milestones=[-1]), ValueError, "milestone.*-1"),
        (lambda opt: MultiStepLR(opt, milestones=[2], gamma=None), TypeError, "gamma"),
        (lambda opt: LinearLR(opt, start_factor=0), ValueError, r"start_factor.*\(0, 1\].*0"),
        (lambda opt: LinearLR(opt, start_factor=1.5), ValueError, "start_factor.*1.5"),
        (lambda opt: LinearLR(opt, end_factor=-0.1), ValueError, "end_factor.*-0.1"),
        (lambda opt: LinearLR(opt, total_iters=0), ValueError, "total_iters.*0"),
        (lambda opt: LambdaLR(opt, [lambda t: 1.0, lambda t: 1.0]), ValueError, "expected 1 lr_lambdas.*got 2"),
        (lambda opt: LambdaLR(opt, 0.5), TypeError, "lr_lambda 0.*0.5"),
        (lambda opt: LambdaLR(object(), lambda t: 1.0), TypeError, "Optimizer"),
        (lambda opt: ReduceLROnPlateau(opt, mode="mean"), ValueError, "mode.*'mean'"),
        (lambda opt: ReduceLROnPlateau(opt, threshold_mode="relative"), ValueError, "threshold_mode.*'relative'"),
        (lambda opt: ReduceLROnPlateau(opt, factor=1.0), ValueError, "factor.*1.0"),
        (lambda opt: ReduceLROnPlateau(opt, patience=-1), ValueError, "patience.*-1"),
        (lambda opt: ReduceLROnPlateau(opt, cooldown=0.5), ValueError, "cooldown.*0.5"),
        (lambda opt: ReduceLROnPlateau(opt, min_lr=[0.0, 0.1]), ValueError, "expected 1 min_lrs.*got 2"),
        (lambda opt: ReduceLROnPlateau(opt, threshold="small"), TypeError, "threshold"),
        (lambda opt: ReduceLROnPlateau(object()), TypeError, "Optimizer"),
    ],
)
def test_invalid_arguments(make, error, words):
    with pytest.raises(error, match=words):
        make(SGD([param()], lr=0.1))
