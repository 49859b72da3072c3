"""Small synthetic classification sets: moons, spirals and blobs.

Every maker returns ``(X, y)``: ``X`` a float32 array of shape ``(n_samples, n_features)``
and ``y`` an int64 array of class labels ``0 .. n_classes - 1``. ``n_samples`` is the
total; it is split evenly over the classes and any remainder goes to the first classes
(7 samples in 3 classes gives 3, 2, 2). The rows are shuffled unless ``shuffle=False``.

``seed`` makes a call repeatable; with ``seed=None`` the draws come from minigrad's global
generator, so ``mg.manual_seed`` makes a whole script repeatable.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .seeding import generator_for


def _check_count(name, value, minimum):
    """Raise unless ``value`` is an int (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")


def _check_noise(noise):
    """Raise unless ``noise`` is a finite number >= 0."""
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def class_sizes(n_samples: int, n_classes: int) -> list[int]:
    """How many of ``n_samples`` go to each of ``n_classes``: even, remainder first.

    >>> class_sizes(7, 3)
    [3, 2, 2]
    """
    base, remainder = divmod(n_samples, n_classes)
    return [base + 1 if k < remainder else base for k in range(n_classes)]


def _labels(sizes):
    """``[0]*sizes[0] + [1]*sizes[1] + ...`` as an int64 array."""
    return np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)


def _finish(X, y, shuffle, rng):
    """Optionally shuffle the rows of ``(X, y)`` together and set the output dtypes."""
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X.astype(np.float32), y.astype(np.int64)


def make_moons(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D: class 0 on top, class 1 below and shifted.

    ``noise`` is the standard deviation of Gaussian noise added to every coordinate.
    """
    _check_count("n_samples", n_samples, 1)
    _check_noise(noise)
    rng = generator_for(seed)
    n_top, n_bottom = class_sizes(n_samples, 2)

    angle_top = np.linspace(0.0, np.pi, n_top)
    top = np.stack([np.cos(angle_top), np.sin(angle_top)], axis=1)
    # The lower moon is the upper one flipped and shifted so the two interlock.
    angle_bottom = np.linspace(0.0, np.pi, n_bottom)
    bottom = np.stack([1.0 - np.cos(angle_bottom), 0.5 - np.sin(angle_bottom)], axis=1)

    X = np.concatenate([top, bottom])
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return _finish(X, _labels([n_top, n_bottom]), shuffle, rng)


def make_spirals(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.0, seed: int | None = None, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` spiral arms in 2-D that wind out from the origin, one class per arm.

    Arm ``k`` starts at angle ``2*pi*k / n_classes`` and sweeps three quarters of a turn
    while its radius grows from 0 to 1. ``noise`` is the standard deviation of Gaussian
    noise added to every coordinate.
    """
    _check_count("n_samples", n_samples, 1)
    _check_count("n_classes", n_classes, 1)
    _check_noise(noise)
    rng = generator_for(seed)
    sizes = class_sizes(n_samples, n_classes)

    arms = []
    for k, size in enumerate(sizes):
        radius = np.linspace(0.0, 1.0, size)
        angle = 2.0 * np.pi * k / n_classes + 1.5 * np.pi * radius
        arms.append(np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1))

    X = np.concatenate(arms)
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return _finish(X, _labels(sizes), shuffle, rng)


def make_blobs(
    n_samples: int = 100,
    centers: int | ArrayLike = 3,
    n_features: int = 2,
    seed: int | None = None,
    cluster_std: float | ArrayLike = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters, one class per center.

    ``centers`` is either a number of clusters, whose centers are drawn uniformly from
    ``center_box`` in ``n_features`` dimensions, or an array of shape
    ``(n_clusters, n_dims)`` giving the centers (then ``n_features`` is taken from it and
    the argument is ignored). ``cluster_std`` is the standard deviation of every cluster,
    or one value per cluster.
    """
    _check_count("n_samples", n_samples, 1)
    rng = generator_for(seed)
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        _check_count("centers", centers, 1)
        _check_count("n_features", n_features, 1)
        low, high = center_box
        center_points = rng.uniform(low, high, size=(centers, n_features))
    else:
        center_points = np.asarray(centers, dtype=np.float64)
        if center_points.ndim != 2 or center_points.shape[0] == 0:
            raise ValueError(
                f"centers must be an int or an array of shape (n_clusters, n_features), got shape {center_points.shape}"
            )
    n_clusters, dims = center_points.shape

    stds = np.asarray(cluster_std, dtype=np.float64)
    if stds.ndim == 0:
        stds = np.full(n_clusters, float(stds))
    if stds.shape != (n_clusters,):
        raise ValueError(
            f"cluster_std must be a number or {n_clusters} numbers (one per center), got shape {stds.shape}"
        )
    if np.any(stds < 0) or not np.all(np.isfinite(stds)):
        raise ValueError(f"cluster_std must be finite and >= 0, got {cluster_std!r}")

    sizes = class_sizes(n_samples, n_clusters)
    y = _labels(sizes)
    # Each row is its cluster's center plus Gaussian noise of that cluster's spread.
    X = center_points[y] + rng.normal(size=(n_samples, dims)) * stds[y][:, None]
    return _finish(X, y, shuffle, rng)
