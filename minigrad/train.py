"""fit and evaluate: the standard training loop, with a tqdm bar per epoch.

A loader is any iterable of ``(x, y)`` batches (Tensors or ndarrays), such as
``mg.data.DataLoader``. Losses are averaged over samples: each batch's loss is taken
to be a mean (the losses' default ``reduction="mean"``) and is weighted by the batch
size, ``len(x)``.

Accuracy is the fraction of correct predictions, decided from the shape of the output:

- one score per prediction (output of shape ``(N,)`` or ``(N, 1)``, or a binary loss:
  ``BCEWithLogitsLoss`` / ``BCELoss`` or their functions): the prediction is
  ``output > 0`` (a logit), or ``output > 0.5`` for ``BCELoss`` (a probability), and
  the truth is ``target > 0.5``; with several columns each one counts (multi-label);
- otherwise the class axis is axis 1 (the last axis of ``(N, C)``, like the losses):
  the prediction is its argmax, compared with integer class targets (targets equal to
  the loss's ``ignore_index``, -100 by default, are not counted) or with the argmax of
  class-probability targets of the output's shape.

For a regression model the accuracy is meaningless; ignore it.
"""

import numpy as np
from tqdm import tqdm

from .autograd import no_grad
from .nn import functional as F
from .nn.loss_modules import BCELoss, BCEWithLogitsLoss
from .tensor import Tensor


def fit(model, loss_fn, optimizer, train_loader, epochs=1, val_loader=None, progress=True, scheduler=None):
    """Train ``model`` for ``epochs`` passes over ``train_loader`` and return the history.

    Each step is ``optimizer.zero_grad(); loss = loss_fn(model(x), y); loss.backward();
    optimizer.step()``; ``scheduler.step()`` (if given) runs once at the end of each
    epoch. The history is a dict of per-epoch lists of Python floats: "loss" and
    "accuracy" (running over the epoch's batches, in training mode), plus "val_loss" and
    "val_accuracy" (from ``evaluate``) when ``val_loader`` is given. With
    ``progress=True`` each epoch shows a tqdm bar with the running loss and accuracy.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be an int >= 0, got {epochs!r}")
    history = {"loss": [], "accuracy": []}
    if val_loader is not None:
        history["val_loss"] = []
        history["val_accuracy"] = []

    for epoch in range(1, epochs + 1):
        model.train()
        totals = _RunningTotals()
        # The bar is advanced by hand (not wrapped around the loader) so that it stays
        # open for the validation results at the end of the epoch.
        total = len(train_loader) if hasattr(train_loader, "__len__") else None
        bar = tqdm(total=total, desc=f"epoch {epoch}/{epochs}", leave=True, disable=not progress)
        try:
            for x, y in train_loader:
                x = _as_tensor(x)
                optimizer.zero_grad()
                output = model(x)
                loss = loss_fn(output, y)
                loss.backward()
                optimizer.step()
                totals.add(len(x), loss, output, y, loss_fn)
                if progress:
                    bar.set_postfix(totals.postfix(), refresh=False)
                    bar.update(1)
            loss_value, accuracy = totals.result("train_loader")
            history["loss"].append(loss_value)
            history["accuracy"].append(accuracy)
            if val_loader is not None:
                val = evaluate(model, val_loader, loss_fn)
                history["val_loss"].append(val["loss"])
                history["val_accuracy"].append(val["accuracy"])
                if progress:
                    bar.set_postfix(
                        totals.postfix(val_loss=val["loss"], val_accuracy=val["accuracy"]),
                        refresh=False,
                    )
        finally:
            bar.close()
        if scheduler is not None:
            scheduler.step()
    return history


def evaluate(model, loader, loss_fn):
    """The loss (averaged over samples) and accuracy of ``model`` on ``loader``.

    Runs in eval mode under ``no_grad()`` and restores the model's previous training
    mode afterwards. Returns ``{"loss": float, "accuracy": float}``.
    """
    was_training = model.training
    model.eval()
    try:
        totals = _RunningTotals()
        with no_grad():
            for x, y in loader:
                x = _as_tensor(x)
                output = model(x)
                totals.add(len(x), loss_fn(output, y), output, y, loss_fn)
        loss_value, accuracy = totals.result("loader")
    finally:
        model.train(was_training)
    return {"loss": loss_value, "accuracy": accuracy}


class _RunningTotals:
    """Sums over an epoch's batches: loss * batch size, samples, correct and counted
    predictions."""

    def __init__(self):
        self.loss_sum = 0.0
        self.samples = 0
        self.correct = 0
        self.counted = 0

    def add(self, batch_size, loss, output, target, loss_fn):
        """Add one batch: its size, its loss (a mean, or per-sample losses), the model's
        output and the target."""
        # np.mean: a scalar loss is its own mean; a reduction="none" loss averages here.
        self.loss_sum += float(np.mean(_as_array(loss))) * batch_size
        self.samples += batch_size
        correct, counted = _count_correct(_as_array(output), target, loss_fn)
        self.correct += correct
        self.counted += counted

    def result(self, loader_name):
        """The (mean loss, accuracy) so far as Python floats."""
        if self.samples == 0:
            raise ValueError(f"{loader_name} yielded no batches; nothing to average")
        accuracy = self.correct / self.counted if self.counted else float("nan")
        return self.loss_sum / self.samples, float(accuracy)

    def postfix(self, **extra):
        """The running values formatted for the progress bar."""
        loss, accuracy = (self.loss_sum / self.samples, self.correct / max(self.counted, 1))
        values = {"loss": loss, "accuracy": accuracy, **extra}
        return {name: f"{value:.4f}" for name, value in values.items()}


def _count_correct(output, target, loss_fn=None):
    """(number of correct predictions, number of predictions) for one batch, by the
    rules in this module's docstring."""
    output = _as_array(output)
    target = _as_array(target)
    if _is_binary(output, target, loss_fn):
        threshold = 0.5 if _is_probability_loss(loss_fn) else 0.0
        predicted = output > threshold
        truth = (target > 0.5).reshape(predicted.shape) if target.size == predicted.size else None
        if truth is None:
            return 0, 0
        return int(np.sum(predicted == truth)), int(predicted.size)
    class_axis = 1 if output.ndim >= 2 else 0
    predicted = np.argmax(output, axis=class_axis)
    if target.shape == output.shape:  # class probabilities
        return int(np.sum(predicted == np.argmax(target, axis=class_axis))), int(predicted.size)
    if target.shape != predicted.shape:
        return 0, 0
    counted = target != getattr(loss_fn, "ignore_index", -100)
    return int(np.sum((predicted == target) & counted)), int(np.sum(counted))


def _is_binary(output, target, loss_fn):
    """True when each output element is one binary score, not one of several classes."""
    binary_functions = (F.binary_cross_entropy_with_logits, F.binary_cross_entropy)
    if isinstance(loss_fn, (BCEWithLogitsLoss, BCELoss)):
        return True
    if any(loss_fn is function for function in binary_functions):
        return True
    one_per_sample = output.ndim == 1 and target.shape == output.shape
    one_column = output.ndim == 2 and output.shape[1] == 1
    return one_per_sample or one_column


def _is_probability_loss(loss_fn):
    """True for losses whose input is a probability rather than a logit."""
    return isinstance(loss_fn, BCELoss) or loss_fn is F.binary_cross_entropy


def _as_array(value):
    """The ndarray behind a Tensor, or ``np.asarray(value)``."""
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def _as_tensor(x):
    """``x`` as a Tensor (loaders may yield ndarrays)."""
    return x if isinstance(x, Tensor) else Tensor(x)
