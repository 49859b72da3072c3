"""fit, evaluate and predict: the standard training loop and its output.

A loader is any iterable of ``(x, y)`` batches (Tensors or ndarrays), such as
``mg.data.DataLoader``. Losses are averaged over samples: each batch's loss is taken
to be a mean (the losses' default ``reduction="mean"``) and is weighted by the batch
size, ``len(x)``.

The metric (``metric=``):

- ``"auto"``: accuracy for the classification losses (``CrossEntropyLoss``, ``NLLLoss``,
  ``BCEWithLogitsLoss``, ``BCELoss`` and their functions ``F.cross_entropy``,
  ``F.nll_loss``, ``F.binary_cross_entropy_with_logits``, ``F.binary_cross_entropy``),
  no metric for the others (``MSELoss``, your own functions);
- ``"accuracy"``: counted by ``mg.metrics.count_correct``, the rule behind
  ``mg.metrics.accuracy``. The loss adds what the scores mean: for the binary losses the
  prediction is ``output > 0`` (logits) or ``output > 0.5`` (``BCELoss``, probabilities);
  for ``CrossEntropyLoss`` / ``NLLLoss`` targets equal to their ``ignore_index`` are not
  counted. Batches are combined weighted by their counted predictions. A shape that does
  not fit raises ValueError naming both shapes;
- ``None``: the loss only;
- a callable ``fn(output, target) -> float``, called on each batch with both as
  ndarrays, averaged over the batches weighted by their size, recorded under
  ``fn.__name__``.

Progress (``progress=True``) goes to ``sys.stderr``: a tqdm bar per epoch, at most 80
columns wide, when it is a terminal; otherwise (a log file, a notebook's captured
output, a CI job) one plain line per epoch and no bar frames.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from . import metrics
from .autograd import no_grad
from .io import save
from .nn import functional as F
from .nn.loss_modules import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss
from .optim import lr_scheduler
from .tensor import Tensor
from .typing import TensorLike

if TYPE_CHECKING:
    from .nn.module import Module
    from .optim.optimizer import Optimizer

ON_NAN = ("raise", "warn", "ignore")
RESERVED_KEYS = ("loss", "lr", "time")

#: The bar while an epoch runs, and once it is over (counts and time left make way for the
#: validation numbers). The bar itself is 10 columns, whatever the rest needs.
RUNNING_BAR = "{desc} |{bar:10}| {n_fmt}/{total_fmt} {elapsed}<{remaining}{postfix}"
FINISHED_BAR = "{desc} |{bar:10}| {elapsed}{postfix}"
BAR_COLUMNS = 80


def fit(
    model: Module,
    loss_fn: Callable[[Tensor, TensorLike], Tensor],
    optimizer: Optimizer,
    train_loader: Iterable[tuple[TensorLike, TensorLike]],
    epochs: int = 1,
    val_loader: Iterable[tuple[TensorLike, TensorLike]] | None = None,
    progress: bool = True,
    scheduler: Any | None = None,
    metric: str | Callable[[np.ndarray, np.ndarray], float] | None = "auto",
    patience: int | None = None,
    restore_best: bool = False,
    checkpoint: str | os.PathLike[str] | None = None,
    on_nan: str = "raise",
) -> dict[str, list[float]]:
    """Train ``model`` for ``epochs`` passes over ``train_loader`` and return the history.

    Each step is ``optimizer.zero_grad(); loss = loss_fn(model(x), y); loss.backward();
    optimizer.step()``. After each epoch the model is evaluated on ``val_loader`` (if
    given) and ``scheduler.step()`` runs (``ReduceLROnPlateau`` gets the validation loss,
    or the training loss without a ``val_loader``).

    The history is a dict of per-epoch lists of Python floats: ``"loss"`` and the metric
    (see the module docstring; running over the epoch's batches, in training mode), then
    ``"val_loss"`` and ``"val_<metric>"`` with a ``val_loader``, ``"lr"`` (the first
    parameter group's rate the epoch trained with; left out for an optimizer without
    ``param_groups`` or ``lr``) and ``"time"`` (seconds for the epoch, validation
    included).

    With a ``val_loader``: ``patience=k`` stops after k epochs in a row without a strictly
    lower validation loss than the best so far; ``restore_best=True`` loads the weights of
    the best epoch back at the end; ``checkpoint`` (a path) gets the best ``state_dict``,
    written with ``mg.save`` (atomically) each time the validation loss improves.

    ``on_nan="raise"`` raises FloatingPointError naming the epoch and the batch (from 1)
    whose training loss is NaN or infinite, before its backward and step run, so the
    parameters are those from before that batch. ``"warn"`` warns (once per epoch) and
    trains on it as usual; ``"ignore"`` just trains on.
    """
    _check_fit_options(epochs, val_loader, patience, restore_best, checkpoint, on_nan)
    spec = _metric_spec(metric, loss_fn)
    history = _empty_history(spec, val_loader is not None, optimizer)
    display = _Display(progress, epochs, spec)
    best = _BestEpoch(patience, restore_best, checkpoint) if val_loader is not None else None

    for epoch in range(1, epochs + 1):
        started = time.perf_counter()
        learning_rate = _learning_rate(optimizer)
        with display.epoch(epoch, _length(train_loader)) as bar:
            results = _train_epoch(model, loss_fn, optimizer, train_loader, spec, on_nan, epoch, bar)
            if val_loader is not None:
                validation = _evaluate(model, val_loader, loss_fn, spec)
                results.update({f"val_{name}": value for name, value in validation.items()})
            if learning_rate is not None:
                results["lr"] = learning_rate
            results["time"] = time.perf_counter() - started
            bar.finish(results)
        for name, values in history.items():
            values.append(results[name])
        _step_scheduler(scheduler, results)
        if best is not None and best.update(epoch, results["val_loss"], model):
            display.note(best.stop_message(epoch))
            break
    if best is not None and best.restore(model) and best.epoch != len(history["loss"]):
        display.note(f"restored the weights of epoch {best.epoch} (validation loss {best.loss:.4g})")
    return history


def evaluate(
    model: Module,
    loader: Iterable[tuple[TensorLike, TensorLike]],
    loss_fn: Callable[[Tensor, TensorLike], Tensor],
    metric: str | Callable[[np.ndarray, np.ndarray], float] | None = "auto",
) -> dict[str, float]:
    """The loss (averaged over samples) and the metric of ``model`` on ``loader``.

    Runs in eval mode under ``no_grad()`` and restores the model's previous training
    mode afterwards. Returns ``{"loss": float, "accuracy": float}``: the metric under its
    name (see the module docstring), no metric key when there is none.
    """
    return _evaluate(model, loader, loss_fn, _metric_spec(metric, loss_fn))


def predict(model: Module, x: TensorLike, batch_size: int = 256) -> np.ndarray:
    """The outputs of ``model`` for the rows of ``x`` (an array or Tensor), as an ndarray.

    Runs in eval mode under ``no_grad()``, ``batch_size`` rows at a time, and joins the
    batches' outputs along axis 0; the model's previous training mode is restored
    afterwards, also after an error.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
    rows = x.data if isinstance(x, Tensor) else np.asarray(x)
    if rows.ndim == 0:
        raise ValueError("predict needs inputs with a batch axis (axis 0), got a 0-d array")
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            outputs = [_as_array(model(Tensor(rows[i : i + batch_size]))) for i in range(0, len(rows), batch_size)]
            if not outputs:  # no rows: one call on the empty batch gives the output's shape
                outputs = [_as_array(model(Tensor(rows)))]
    finally:
        model.train(was_training)
    return np.concatenate(outputs, axis=0)


# ------------------------------------------------------------------------ the epochs


def _train_epoch(model, loss_fn, optimizer, loader, spec, on_nan, epoch, bar):
    """One pass over ``loader`` in training mode; returns ``{"loss": ..., metric: ...}``."""
    model.train()
    totals = _Totals(spec)
    warned = False
    for batch, (x, y) in enumerate(loader, start=1):
        x = _as_tensor(x)
        optimizer.zero_grad()
        output = model(x)
        loss = loss_fn(output, y)
        loss_value = float(np.mean(_as_array(loss)))
        if not np.isfinite(loss_value) and on_nan != "ignore":
            message = f"the training loss is {loss_value} at epoch {epoch}, batch {batch} (counting from 1)"
            if on_nan == "raise":
                raise FloatingPointError(
                    f"{message}; stopped before its backward and optimizer step, so the parameters are "
                    "those from before this batch (pass on_nan='warn' or 'ignore' to train on)"
                )
            if not warned:
                warnings.warn(f"{message}; training goes on (on_nan='warn')", RuntimeWarning, stacklevel=3)
                warned = True
        loss.backward()
        optimizer.step()
        totals.add(len(x), loss_value, output, y)
        bar.batch_done(totals)
    return totals.results("train_loader")


def _evaluate(model, loader, loss_fn, spec):
    """``evaluate`` with the metric already resolved."""
    was_training = model.training
    model.eval()
    try:
        totals = _Totals(spec)
        with no_grad():
            for x, y in loader:
                x = _as_tensor(x)
                output = model(x)
                totals.add(len(x), float(np.mean(_as_array(loss_fn(output, y)))), output, y)
        return totals.results("loader")
    finally:
        model.train(was_training)


class _Totals:
    """Sums over an epoch's batches: loss times batch size, samples, and the metric's
    numerator and denominator."""

    def __init__(self, spec):
        self.spec = spec
        self.loss_sum = 0.0
        self.samples = 0
        self.metric_sum = 0.0
        self.metric_count = 0

    def add(self, batch_size, loss_value, output, target):
        """Add one batch: its size, its mean loss, the model's output and the target."""
        self.loss_sum += loss_value * batch_size
        self.samples += batch_size
        if self.spec is not None:
            value, count = self.spec.batch(_as_array(output), _as_array(target), batch_size)
            self.metric_sum += value
            self.metric_count += count

    def loss(self):
        return self.loss_sum / self.samples

    def metric(self):
        return self.metric_sum / self.metric_count if self.metric_count else float("nan")

    def results(self, loader_name):
        """``{"loss": mean loss, <metric name>: value}`` as Python floats."""
        if self.samples == 0:
            raise ValueError(f"{loader_name} yielded no batches; nothing to average")
        results = {"loss": float(self.loss())}
        if self.spec is not None:
            results[self.spec.name] = float(self.metric())
        return results


# ----------------------------------------------------------------------- the metric


class _Accuracy:
    """Accuracy by ``mg.metrics.count_correct``, with what the loss says about the scores."""

    name, short_name, bar_format = "accuracy", "acc", ".3f"

    def __init__(self, loss_fn):
        self.threshold = _binary_threshold(loss_fn)
        self.ignore_index = _ignore_index(loss_fn)

    def batch(self, output, target, batch_size):
        """(correct, counted) for one batch."""
        return metrics.count_correct(output, target, threshold=self.threshold, ignore_index=self.ignore_index)


class _CustomMetric:
    """A user's ``fn(output, target) -> float``, averaged over batches weighted by their size."""

    bar_format = ".4g"

    def __init__(self, fn):
        self.fn = fn
        self.name = getattr(fn, "__name__", type(fn).__name__)
        if self.name in RESERVED_KEYS or self.name.startswith("val_"):
            raise ValueError(f"a metric cannot be called {self.name!r}: that name is taken in the history")
        self.short_name = self.name[:8]

    def batch(self, output, target, batch_size):
        return float(self.fn(output, target)) * batch_size, batch_size


def _metric_spec(metric, loss_fn):
    """The metric object for ``metric=``: _Accuracy, _CustomMetric, or None."""
    if isinstance(metric, str) and metric == "auto":
        return _Accuracy(loss_fn) if _is_classification_loss(loss_fn) else None
    if isinstance(metric, str) and metric == "accuracy":
        return _Accuracy(loss_fn)
    if metric is None:
        return None
    if callable(metric):
        return _CustomMetric(metric)
    raise ValueError(f"metric must be 'auto', 'accuracy', None or a function fn(output, target), got {metric!r}")


def _loss_function(loss_fn):
    """The function behind ``functools.partial(F.cross_entropy, ...)``, or ``loss_fn``."""
    return loss_fn.func if isinstance(loss_fn, functools.partial) else loss_fn


def _is_classification_loss(loss_fn):
    functions = (F.cross_entropy, F.nll_loss, F.binary_cross_entropy_with_logits, F.binary_cross_entropy)
    modules = (CrossEntropyLoss, NLLLoss, BCEWithLogitsLoss, BCELoss)
    return isinstance(loss_fn, modules) or any(_loss_function(loss_fn) is function for function in functions)


def _binary_threshold(loss_fn):
    """0 for the losses on logits of binary labels, 0.5 for the one on probabilities, else None."""
    function = _loss_function(loss_fn)
    if isinstance(loss_fn, BCEWithLogitsLoss) or function is F.binary_cross_entropy_with_logits:
        return 0.0
    if isinstance(loss_fn, BCELoss) or function is F.binary_cross_entropy:
        return 0.5
    return None


def _ignore_index(loss_fn):
    """The label that cross_entropy / nll_loss skip (their default -100), or None for other losses."""
    if isinstance(loss_fn, (CrossEntropyLoss, NLLLoss)):
        return loss_fn.ignore_index
    if _loss_function(loss_fn) in (F.cross_entropy, F.nll_loss):
        keywords = loss_fn.keywords if isinstance(loss_fn, functools.partial) else {}
        return keywords.get("ignore_index", -100)
    return None


# ------------------------------------------------------------ options and bookkeeping


def _check_fit_options(epochs, val_loader, patience, restore_best, checkpoint, on_nan):
    """ValueError for a bad option, before any training."""
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be an int >= 0, got {epochs!r}")
    if on_nan not in ON_NAN:
        raise ValueError(f"on_nan must be one of {ON_NAN}, got {on_nan!r}")
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, (int, np.integer))):
        raise ValueError(f"patience must be an int >= 1 or None, got {patience!r}")
    if patience is not None and patience < 1:
        raise ValueError(f"patience must be an int >= 1 or None, got {patience!r}")
    if not isinstance(restore_best, bool):
        raise ValueError(f"restore_best must be True or False, got {restore_best!r}")
    options_used = {
        "patience": patience is not None,
        "restore_best": restore_best,
        "checkpoint": checkpoint is not None,
    }
    needs_validation = [name for name, used in options_used.items() if used]
    if needs_validation and val_loader is None:
        raise ValueError(f"{', '.join(needs_validation)} need a val_loader: they follow the validation loss")
    if checkpoint is not None:
        folder = os.path.dirname(os.path.abspath(os.fspath(checkpoint)))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"cannot write the checkpoint {checkpoint!r}: the folder {folder!r} does not exist")


def _empty_history(spec, validating, optimizer):
    """The history's keys in order, each with an empty list."""
    names = ["loss"] + ([spec.name] if spec is not None else [])
    if validating:
        names += [f"val_{name}" for name in names]
    if _learning_rate(optimizer) is not None:
        names.append("lr")
    return {name: [] for name in names + ["time"]}


def _learning_rate(optimizer):
    """The first parameter group's lr (or the optimizer's ``lr``) as a float, or None."""
    groups = getattr(optimizer, "param_groups", None)
    if groups:
        return float(groups[0]["lr"])
    rate = getattr(optimizer, "lr", None)
    return float(rate) if isinstance(rate, (int, float, np.number)) else None


def _step_scheduler(scheduler, results):
    if scheduler is None:
        return
    plateau = getattr(lr_scheduler, "ReduceLROnPlateau", None)
    if plateau is not None and isinstance(scheduler, plateau):
        scheduler.step(results.get("val_loss", results["loss"]))
    else:
        scheduler.step()


class _BestEpoch:
    """Follows the validation loss: the best epoch, early stopping, checkpoint, restoring."""

    def __init__(self, patience, restore_best, checkpoint):
        self.patience, self.restore_best, self.checkpoint = patience, restore_best, checkpoint
        self.epoch, self.loss, self.state = None, float("inf"), None

    def update(self, epoch, val_loss, model):
        """Record ``epoch``'s validation loss; True when training should stop."""
        if val_loss < self.loss:  # strictly lower; a NaN is never better
            self.epoch, self.loss = epoch, val_loss
            state = model.state_dict() if self.restore_best or self.checkpoint is not None else None  # copies
            if self.restore_best:
                self.state = state
            if self.checkpoint is not None:
                save(state, self.checkpoint)
        epochs_since_best = epoch - (self.epoch or 0)
        return self.patience is not None and epochs_since_best >= self.patience

    def stop_message(self, epoch):
        best = f"epoch {self.epoch} ({self.loss:.4g})" if self.epoch else "none (never finite)"
        return f"early stop after epoch {epoch}: no lower validation loss for {self.patience} epochs; best {best}"

    def restore(self, model):
        """Load the best epoch's weights if asked to; True when it did."""
        if self.state is None:
            return False
        model.load_state_dict(self.state)
        return True


def _length(loader):
    return len(loader) if hasattr(loader, "__len__") else None


def _as_array(value):
    """The ndarray behind a Tensor, or ``np.asarray(value)``."""
    return value.data if isinstance(value, Tensor) else np.asarray(value)


def _as_tensor(x):
    """``x`` as a Tensor (loaders may yield ndarrays)."""
    return x if isinstance(x, Tensor) else Tensor(x)


# --------------------------------------------------------------------------- output


class _Display:
    """Where the progress goes: nowhere, a tqdm bar per epoch (a terminal), or a line per epoch."""

    def __init__(self, progress, epochs, spec):
        self.progress, self.epochs, self.spec = progress, epochs, spec
        self.terminal = progress and sys.stderr.isatty()

    def epoch(self, epoch, total):
        """A context manager for one epoch's output."""
        desc = f"epoch {epoch}/{self.epochs}"
        if not self.progress:
            return _Silent()
        if self.terminal:
            return _Bar(make_bar(desc, total, sys.stderr), self.spec)
        return _Line(desc, sys.stderr)

    def note(self, text):
        """A line of news (early stopping, restored weights) when progress is on."""
        if self.progress:
            print(text, file=sys.stderr, flush=True)


class _Silent:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def batch_done(self, totals):
        pass

    def finish(self, results):
        pass


class _Line(_Silent):
    """One plain line per epoch, e.g. ``epoch 3/15  loss 0.1234  accuracy 0.9512  lr 0.01  1.2s``."""

    def __init__(self, desc, file):
        self.desc, self.file = desc, file

    def finish(self, results):
        print(format_epoch_line(self.desc, results), file=self.file, flush=True)


class _Bar(_Silent):
    """A tqdm bar for one epoch: running loss and metric, then the validation numbers."""

    def __init__(self, bar, spec):
        self.bar, self.spec = bar, spec

    def __exit__(self, *exc):
        self.bar.close()
        return False

    def batch_done(self, totals):
        running = {"loss": totals.loss()}
        if self.spec is not None:
            running[self.spec.name] = totals.metric()
        self.bar.set_postfix_str(format_postfix(running, self.spec), refresh=False)
        self.bar.update(1)

    def finish(self, results):
        if self.bar.total is None:  # a loader without len(): now the count is known
            self.bar.total = self.bar.n
        self.bar.bar_format = FINISHED_BAR
        self.bar.set_postfix_str(format_postfix(results, self.spec), refresh=False)


def make_bar(desc, total, file):
    """The tqdm bar of one epoch: at most ``BAR_COLUMNS`` (80) wide, or the terminal's width if
    that is less (tqdm cuts the text's end to fit); the bar itself is 10 columns whatever the text."""
    columns = min(BAR_COLUMNS, shutil.get_terminal_size((BAR_COLUMNS, 24)).columns)
    return tqdm(total=total, desc=desc, file=file, ncols=columns, bar_format=RUNNING_BAR, leave=True)


def format_postfix(results, spec):
    """The bar's numbers with short names: ``loss=0.1234 acc=0.950 vloss=0.1301 vacc=0.944``."""
    parts = []
    for prefix in ("", "val_"):
        if prefix + "loss" not in results:
            continue
        short = "v" if prefix else ""
        parts.append(f"{short}loss={results[prefix + 'loss']:.4g}")
        if spec is not None:
            parts.append(f"{short}{spec.short_name}={results[prefix + spec.name]:{spec.bar_format}}")
    return " ".join(parts)


def format_epoch_line(desc, results):
    """The plain line for an epoch: every history value by its name, the lr and the time."""
    parts = [desc]
    for name, value in results.items():
        if name == "lr":
            parts.append(f"lr {value:.4g}")
        elif name == "time":
            parts.append(f"{value:.3g}s")
        else:
            parts.append(f"{name} {_plain_number(value)}")
    return "  ".join(parts)


def _plain_number(value):
    """Four decimals for everyday sizes, four significant digits for very large or small values."""
    return f"{value:.4f}" if value == 0 or 1e-3 <= abs(value) < 1e4 else f"{value:.4g}"
