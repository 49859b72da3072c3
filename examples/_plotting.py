"""Optional plots for the example trainers: training curves, decision regions, confusion.

Only ``--plot`` needs matplotlib, and only this module imports it. Without matplotlib,
``plotting_available`` prints how to install it and the example trains anyway.
"""

import os
import sys

import numpy as np

INSTALL_HINT = (
    "--plot needs matplotlib, which is not installed; install it with\n"
    '    pip install ".[plot]"    (from the minigrad checkout; or: pip install matplotlib)\n'
    "Training goes on without the plot."
)


def plotting_available():
    """True if matplotlib can be imported; otherwise print how to get it and return False."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return False
    return True


def save_plot(path, curves, regions=(), confusion=None):
    """Draw the results of one example into the image file ``path``.

    - ``curves``: ``{name: history}``, each history as ``mg.train.fit`` returns it; the
      loss and the accuracy get one panel each, training solid and validation dashed
      (the examples validate on their held-out test split, so it is labelled "test").
    - ``regions``: ``(title, predict, X, y, X_test, y_test)`` tuples for 2-D problems,
      one panel each: ``predict`` maps an ``(n, 2)`` float32 array to class labels,
      drawn as colored regions under the training points (dots) and the test points
      (white-edged squares).
    - ``confusion``: a square matrix of counts (rows true class, columns predicted).
    """
    import matplotlib

    matplotlib.use("Agg")  # draw to a file; no window, no display needed
    import matplotlib.pyplot as plt

    n_panels = 2 + len(regions) + (confusion is not None)
    figure, axes = plt.subplots(1, n_panels, figsize=(4.6 * n_panels, 4.2))
    axes = list(np.atleast_1d(axes))
    for region, ax in zip(regions, axes):
        _draw_regions(ax, *region)
    _draw_curves(axes[len(regions)], axes[len(regions) + 1], curves)
    if confusion is not None:
        _draw_confusion(axes[-1], np.asarray(confusion))
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    print(f"plot saved to {path}")


def _draw_curves(loss_ax, accuracy_ax, curves):
    """Per-epoch training (solid) and validation (dashed, "test") loss and accuracy."""
    for index, (name, history) in enumerate(curves.items()):
        color = f"C{index}"
        epochs = np.arange(1, len(history["loss"]) + 1)
        for ax, key in ((loss_ax, "loss"), (accuracy_ax, "accuracy")):
            ax.plot(epochs, history[key], color=color, label=f"{name}: train")
            if f"val_{key}" in history:
                ax.plot(epochs, history[f"val_{key}"], color=color, linestyle="--", label=f"{name}: test")
    loss_ax.set_yscale("log")
    loss_ax.set_title("loss")
    accuracy_ax.set_title("accuracy")
    for ax in (loss_ax, accuracy_ax):
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")


def _draw_regions(ax, title, predict, X, y, X_test, y_test):
    """The plane colored by the predicted class, with the points on top."""
    from matplotlib.colors import ListedColormap

    both = np.concatenate([X, X_test])
    low, high = both.min(axis=0), both.max(axis=0)
    margin = 0.1 * (high - low)
    xs = np.linspace(low[0] - margin[0], high[0] + margin[0], 300)
    ys = np.linspace(low[1] - margin[1], high[1] + margin[1], 300)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float32)
    labels = np.asarray(predict(grid)).reshape(grid_x.shape)

    n_classes = int(max(y.max(), y_test.max(), labels.max())) + 1
    colors = [f"C{k}" for k in range(n_classes)]
    ax.contourf(grid_x, grid_y, labels, levels=np.arange(n_classes + 1) - 0.5, cmap=ListedColormap(colors), alpha=0.25)
    ax.scatter(X[:, 0], X[:, 1], c=[colors[k] for k in y], s=10, label="train")
    ax.scatter(
        X_test[:, 0],
        X_test[:, 1],
        c=[colors[k] for k in y_test],
        s=28,
        marker="s",
        edgecolors="white",
        linewidths=0.8,
        label="test",
    )
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.legend(fontsize="small", loc="upper right")


def _draw_confusion(ax, matrix):
    """A heat map of the confusion matrix with the count written in every cell."""
    ax.imshow(matrix, cmap="Blues")
    classes = np.arange(len(matrix))
    ax.set_xticks(classes)
    ax.set_yticks(classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix (test)")
    threshold = matrix.max() / 2
    for row in classes:
        for column in classes:
            if matrix[row, column]:
                ax.text(
                    column,
                    row,
                    str(matrix[row, column]),
                    ha="center",
                    va="center",
                    fontsize="small",
                    color="white" if matrix[row, column] > threshold else "black",
                )
