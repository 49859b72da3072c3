"""StepLR and CosineAnnealingLR: learning rates against their formulas, state dicts, errors."""

import math

import numpy as np
import pytest

from minigrad.io import load, save
from minigrad.optim import SGD, Adam
from minigrad.optim.lr_scheduler import CosineAnnealingLR, StepLR
from minigrad.tensor import Tensor


def param():
    return Tensor(np.zeros(2), requires_grad=True)


def two_group_sgd(lr_a=0.1, lr_b=0.5):
    return SGD([{"params": [param()]}, {"params": [param()], "lr": lr_b}], lr=lr_a)


def cosine(base, eta_min, t, t_max):
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2


def test_construction_records_initial_lr_and_counts_epoch_zero():
    opt = two_group_sgd()
    scheduler = StepLR(opt, step_size=3)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert scheduler.base_lrs == [0.1, 0.5]
    assert scheduler.last_epoch == 0
    assert scheduler.get_last_lr() == [0.1, 0.5]


def test_initial_lr_already_present_is_kept():
    opt = SGD([param()], lr=0.1)
    opt.param_groups[0]["initial_lr"] = 0.3
    assert StepLR(opt, step_size=1).base_lrs == [0.3]


@pytest.mark.parametrize("step_size, gamma", [(3, 0.1), (1, 0.5), (4, 2.0)])
def test_step_lr_values(step_size, gamma):
    opt = two_group_sgd()
    scheduler = StepLR(opt, step_size=step_size, gamma=gamma)
    for epoch in range(1, 25):
        opt.step()
        scheduler.step()
        want = [base * gamma ** (epoch // step_size) for base in (0.1, 0.5)]
        np.testing.assert_allclose(scheduler.get_last_lr(), want, rtol=1e-12)
        assert [g["lr"] for g in opt.param_groups] == scheduler.get_last_lr()
        assert scheduler.last_epoch == epoch


def test_step_lr_worked_by_hand():
    opt = SGD([param()], lr=1.0)
    scheduler = StepLR(opt, step_size=2, gamma=0.5)
    seen = [scheduler.get_last_lr()[0]]
    for _ in range(6):
        scheduler.step()
        seen.append(scheduler.get_last_lr()[0])
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]


@pytest.mark.parametrize("t_max, eta_min", [(5, 0.0), (7, 0.01), (1, 0.0), (10, 0.05)])
def test_cosine_values_for_three_periods(t_max, eta_min):
    opt = two_group_sgd()
    scheduler = CosineAnnealingLR(opt, T_max=t_max, eta_min=eta_min)
    for epoch in range(0, 3 * t_max + 2):
        if epoch:
            opt.step()
            scheduler.step()
        want = [cosine(base, eta_min, epoch, t_max) for base in (0.1, 0.5)]
        np.testing.assert_allclose(scheduler.get_last_lr(), want, rtol=1e-10, atol=1e-14)


def test_cosine_worked_by_hand():
    opt = SGD([param()], lr=1.0)
    scheduler = CosineAnnealingLR(opt, T_max=2)
    seen = [scheduler.get_last_lr()[0]]
    for _ in range(6):
        scheduler.step()
        seen.append(scheduler.get_last_lr()[0])
    # cos(pi t / 2): 1, 0, -1, 0, 1, 0, -1 -> lr (1 + cos) / 2; past T_max the cosine climbs back.
    np.testing.assert_allclose(seen, [1.0, 0.5, 0.0, 0.5, 1.0, 0.5, 0.0], atol=1e-15)


def test_scheduler_drives_the_optimizer_step():
    p = Tensor(np.array([1.0]), requires_grad=True)
    opt = SGD([p], lr=1.0)
    scheduler = StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        p.grad = np.array([1.0])
        opt.step()
        scheduler.step()
    np.testing.assert_allclose(p.data, [1.0 - 1.0 - 0.5 - 0.25])


def test_works_with_adam():
    opt = Adam([param()], lr=0.01)
    scheduler = CosineAnnealingLR(opt, T_max=4, eta_min=0.001)
    for _ in range(4):
        scheduler.step()
    assert scheduler.get_last_lr() == [pytest.approx(0.001)]


def test_get_last_lr_returns_a_new_list():
    scheduler = StepLR(SGD([param()], lr=0.1), step_size=1)
    scheduler.get_last_lr().append(5)
    assert scheduler.get_last_lr() == [0.1]


@pytest.mark.parametrize(
    "make",
    [
        lambda opt: StepLR(opt, step_size=3, gamma=0.5),
        lambda opt: CosineAnnealingLR(opt, T_max=4, eta_min=0.01),
    ],
)
@pytest.mark.parametrize("through_file", [False, True])
def test_resumed_schedule_equals_the_uninterrupted_one(make, through_file, tmp_path):
    opt = two_group_sgd()
    scheduler = make(opt)
    uninterrupted = []
    for _ in range(12):
        scheduler.step()
        uninterrupted.append(scheduler.get_last_lr())

    opt = two_group_sgd()
    scheduler = make(opt)
    resumed = []
    for _ in range(5):
        scheduler.step()
        resumed.append(scheduler.get_last_lr())
    checkpoint = {"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}
    if through_file:
        save(checkpoint, tmp_path / "ckpt.npz")
        checkpoint = load(tmp_path / "ckpt.npz")
    opt = two_group_sgd(lr_a=9.0, lr_b=9.0)
    scheduler = make(opt)
    opt.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    assert scheduler.last_epoch == 5 and scheduler.get_last_lr() == resumed[-1]
    for _ in range(7):
        scheduler.step()
        resumed.append(scheduler.get_last_lr())
    np.testing.assert_allclose(resumed, uninterrupted, rtol=1e-15)


def test_state_dict_contents():
    state = StepLR(SGD([param()], lr=0.1), step_size=3, gamma=0.5).state_dict()
    assert state == {"last_epoch": 0, "base_lrs": [0.1], "last_lr": [0.1], "step_size": 3, "gamma": 0.5}
    state = CosineAnnealingLR(SGD([param()], lr=0.1), T_max=4).state_dict()
    assert state["T_max"] == 4 and state["eta_min"] == 0.0


def test_load_state_dict_checks_the_group_count():
    scheduler = StepLR(two_group_sgd(), step_size=3)
    state = StepLR(SGD([param()], lr=0.1), step_size=3).state_dict()
    with pytest.raises(ValueError, match="2 parameter groups"):
        scheduler.load_state_dict(state)
    assert scheduler.base_lrs == [0.1, 0.5]


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda opt: StepLR(opt, step_size=0), ValueError, "step_size.*0"),
        (lambda opt: StepLR(opt, step_size=1.5), ValueError, "step_size.*1.5"),
        (lambda opt: StepLR(opt, step_size=2, gamma="x"), TypeError, "gamma"),
        (lambda opt: CosineAnnealingLR(opt, T_max=0), ValueError, "T_max.*0"),
        (lambda opt: CosineAnnealingLR(opt, T_max=4, eta_min=None), TypeError, "eta_min"),
        (lambda opt: StepLR(object(), step_size=1), TypeError, "Optimizer"),
    ],
)
def test_invalid_arguments(make, error, words):
    with pytest.raises(error, match=words):
        make(SGD([param()], lr=0.1))
