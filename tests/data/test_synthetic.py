"""make_moons, make_spirals, make_blobs: shapes, dtypes, class counts, geometry, seeds."""

import numpy as np
import pytest

from minigrad.data import make_blobs, make_moons, make_spirals
from minigrad.data.synthetic import class_sizes
from minigrad.random import manual_seed

MAKERS = [
    ("moons", lambda n, seed: make_moons(n, noise=0.1, seed=seed), 2),
    ("spirals", lambda n, seed: make_spirals(n, n_classes=3, noise=0.1, seed=seed), 3),
    ("blobs", lambda n, seed: make_blobs(n, centers=3, seed=seed), 3),
]
MAKER_IDS = [name for name, _, _ in MAKERS]


def test_class_sizes_give_the_remainder_to_the_first_classes():
    assert class_sizes(7, 3) == [3, 2, 2]
    assert class_sizes(8, 3) == [3, 3, 2]
    assert class_sizes(9, 3) == [3, 3, 3]
    assert class_sizes(2, 3) == [1, 1, 0]


@pytest.mark.parametrize("name, make, n_classes", MAKERS, ids=MAKER_IDS)
@pytest.mark.parametrize("n", [100, 101, 7])
def test_shapes_dtypes_and_class_counts(name, make, n_classes, n):
    X, y = make(n, 0)
    assert X.shape == (n, 2) and X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y, minlength=n_classes), class_sizes(n, n_classes))


@pytest.mark.parametrize("name, make, n_classes", MAKERS, ids=MAKER_IDS)
def test_same_seed_same_data_different_seed_different_data(name, make, n_classes):
    X1, y1 = make(50, 3)
    X2, y2 = make(50, 3)
    X3, _ = make(50, 4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name, make, n_classes", MAKERS, ids=MAKER_IDS)
def test_seed_none_uses_the_global_generator(name, make, n_classes):
    manual_seed(11)
    X1, y1 = make(40, None)
    X2, _ = make(40, None)
    manual_seed(11)
    X3, y3 = make(40, None)
    np.testing.assert_array_equal(X1, X3)
    np.testing.assert_array_equal(y1, y3)
    assert not np.array_equal(X1, X2)


def test_defaults_follow_the_api():
    assert make_moons()[0].shape == (100, 2)
    X, y = make_spirals()
    assert X.shape == (300, 2) and set(y.tolist()) == {0, 1, 2}
    X, y = make_blobs()
    assert X.shape == (100, 2) and set(y.tolist()) == {0, 1, 2}


def test_rows_are_shuffled_by_default_and_grouped_on_request():
    _, y = make_moons(20, seed=0)
    assert not np.array_equal(y, np.sort(y))
    _, y = make_moons(20, seed=0, shuffle=False)
    np.testing.assert_array_equal(y, [0] * 10 + [1] * 10)


def test_noiseless_moons_lie_on_their_half_circles():
    X, y = make_moons(200, noise=0.0, seed=0)
    top, bottom = X[y == 0].astype(np.float64), X[y == 1].astype(np.float64)
    # Class 0: the unit upper half circle around (0, 0).
    np.testing.assert_allclose(np.hypot(top[:, 0], top[:, 1]), 1.0, atol=1e-6)
    assert top[:, 1].min() >= -1e-6
    # Class 1: the unit lower half circle around (1, 0.5).
    np.testing.assert_allclose(np.hypot(bottom[:, 0] - 1.0, bottom[:, 1] - 0.5), 1.0, atol=1e-6)
    assert bottom[:, 1].max() <= 0.5 + 1e-6


def test_moons_noise_moves_points_off_the_circles():
    X, y = make_moons(500, noise=0.2, seed=0)
    radius = np.hypot(X[y == 0, 0], X[y == 0, 1])
    assert 0.1 < radius.std() < 0.3


def test_noiseless_spirals_wind_out_from_the_origin():
    X, y = make_spirals(300, n_classes=3, seed=0, shuffle=False)
    for k in range(3):
        arm = X[y == k].astype(np.float64)
        radius = np.hypot(arm[:, 0], arm[:, 1])
        np.testing.assert_allclose(radius, np.linspace(0.0, 1.0, 100), atol=1e-6)
        # The arm's outer end sits at its start angle plus three quarters of a turn.
        angle = 2 * np.pi * k / 3 + 1.5 * np.pi
        np.testing.assert_allclose(arm[-1], [np.cos(angle), np.sin(angle)], atol=1e-6)


@pytest.mark.parametrize("n_classes", [1, 2, 5])
def test_spirals_any_number_of_classes(n_classes):
    X, y = make_spirals(53, n_classes=n_classes, seed=0)
    np.testing.assert_array_equal(np.bincount(y), class_sizes(53, n_classes))


def test_blobs_cluster_around_given_centers():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]])
    X, y = make_blobs(2000, centers=centers, seed=0, cluster_std=0.5)
    assert X.shape == (2000, 3) and X.dtype == np.float32
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centers[k], atol=0.1)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.5, atol=0.05)


def test_blobs_with_int_centers_and_more_features():
    X, y = make_blobs(31, centers=4, n_features=5, seed=0)
    assert X.shape == (31, 5)
    np.testing.assert_array_equal(np.bincount(y), [8, 8, 8, 7])


def test_blobs_one_std_per_cluster():
    X, y = make_blobs(3000, centers=[[0.0], [50.0]], cluster_std=[1.0, 3.0], seed=0)
    assert X[y == 0].std() == pytest.approx(1.0, abs=0.1)
    assert X[y == 1].std() == pytest.approx(3.0, abs=0.2)


def test_blobs_default_centers_lie_in_the_center_box():
    X, y = make_blobs(3000, centers=3, seed=1, cluster_std=0.0)
    assert np.all(np.abs(X) <= 10.0)
    assert len(np.unique(X, axis=0)) == 3  # zero spread: every point is its center


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: make_moons(0), ValueError),
        (lambda: make_moons(10.5), TypeError),
        (lambda: make_moons(10, noise=-0.1), ValueError),
        (lambda: make_spirals(10, n_classes=0), ValueError),
        (lambda: make_blobs(10, centers=0), ValueError),
        (lambda: make_blobs(10, centers=np.zeros(3)), ValueError),
        (lambda: make_blobs(10, centers=2, cluster_std=[1.0, 2.0, 3.0]), ValueError),
        (lambda: make_blobs(10, cluster_std=-1.0), ValueError),
    ],
)
def test_bad_arguments_raise(call, error):
    with pytest.raises(error):
        call()
