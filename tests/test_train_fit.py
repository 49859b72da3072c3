"""fit's options: metrics, lr and time, early stopping, restoring, checkpoints, NaN losses, output; predict."""

import functools
import io
import os
import re
import sys
import warnings

import numpy as np
import pytest
from test_train import PlainSGD, two_blobs  # the same stand-in optimizer and data as test_train.py

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import train
from minigrad.data import DataLoader, TensorDataset
from minigrad.nn.layers import MLP, Dropout, Linear, Sequential
from minigrad.nn.loss_modules import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.train import evaluate, fit, predict


def blobs(n=48, seed=0):
    return two_blobs(n, seed)


def blob_loader(n=48, batch_size=16, seed=0):
    return DataLoader(TensorDataset(*blobs(n, seed)), batch_size=batch_size, shuffle=True, seed=seed)


# ------------------------------------------------- a model whose validation loss is scripted


class Scalar(Module):
    """output = x * w with one weight w; with x = 1 and y = 0, the MSE loss is w**2."""

    def __init__(self, w=0.0):
        super().__init__()
        self.w = Parameter(np.array([w], dtype=np.float64))

    def forward(self, x):
        return x * self.w


class ScriptedOptimizer:
    """Each step sets w to the next value of the script: after epoch k (one batch per
    epoch) w is script[k - 1], so the validation loss of epoch k is script[k - 1] ** 2."""

    def __init__(self, param, script):
        self.param, self.script, self.steps = param, list(script), 0
        self.param_groups = [{"lr": 0.5, "params": [param]}]

    def zero_grad(self):
        self.param.grad = None

    def step(self):
        self.param.data[...] = self.script[self.steps]
        self.steps += 1


ONES = [(np.ones((2, 1)), np.zeros((2, 1)))]  # one batch per epoch
# validation losses: 9, 4, 1, 2.25, 1 (a tie is no improvement), 4, 0.25, 0.25
SCRIPT = [3.0, 2.0, 1.0, 1.5, -1.0, 2.0, 0.5, 0.5]


def scripted_fit(epochs=8, progress=False, **options):
    model = Scalar()
    history = fit(
        model,
        MSELoss(),
        ScriptedOptimizer(model.w, SCRIPT),
        ONES,
        epochs,
        val_loader=ONES,
        progress=progress,
        **options,
    )
    return model, history


def test_the_scripted_validation_losses():
    _, history = scripted_fit()
    assert history["val_loss"] == [9.0, 4.0, 1.0, 2.25, 1.0, 4.0, 0.25, 0.25]


@pytest.mark.parametrize(
    ("patience", "epochs_run"),
    [
        (1, 4),  # best 1.0 at epoch 3, epoch 4 is worse
        (2, 5),  # epoch 5 ties the best: not a strict improvement
        (3, 6),
        (4, 8),  # epoch 7 improves (0.25) and epoch 8 only ties it: the loop ends first
        (None, 8),
    ],
)
def test_patience_stops_after_k_epochs_without_a_strictly_lower_validation_loss(patience, epochs_run):
    _, history = scripted_fit(patience=patience)
    assert len(history["loss"]) == len(history["val_loss"]) == len(history["time"]) == epochs_run


def test_restore_best_puts_back_the_best_epochs_weights():
    model, _ = scripted_fit(patience=3, restore_best=True)  # stops after epoch 6 (w = 2), best epoch 3
    assert np.array_equal(model.w.data, [1.0])
    model, _ = scripted_fit(epochs=6, restore_best=True)
    assert np.array_equal(model.w.data, [1.0])
    model, _ = scripted_fit(epochs=6)  # without it: the last weights
    assert np.array_equal(model.w.data, [2.0])


def test_restore_best_on_a_real_model_gives_the_best_epoch_exactly():
    # Train with a large step so the validation loss goes up and down; then replay the
    # same training one epoch at a time, keeping every epoch's weights.
    def run(**options):
        mg.manual_seed(3)
        model = MLP([2, 16, 2])
        optimizer = mg.optim.SGD(model.parameters(), lr=1.5, momentum=0.9)
        loaders = (blob_loader(n=64, seed=3), blob_loader(n=32, seed=4))
        return model, optimizer, loaders

    model, optimizer, (train_loader, val_loader) = run()
    states, val_losses = [], []
    for _ in range(8):
        history = fit(model, CrossEntropyLoss(), optimizer, train_loader, 1, val_loader=val_loader, progress=False)
        states.append(model.state_dict())
        val_losses.append(history["val_loss"][0])
    best = int(np.argmin(val_losses))
    assert best != 7, "the check needs a best epoch before the last one"

    model, optimizer, (train_loader, val_loader) = run()
    history = fit(
        model, CrossEntropyLoss(), optimizer, train_loader, 8, val_loader=val_loader, progress=False, restore_best=True
    )
    assert history["val_loss"] == val_losses  # the same training
    restored = model.state_dict()
    assert all(np.array_equal(restored[name], states[best][name]) for name in restored)
    assert not all(np.array_equal(restored[name], states[-1][name]) for name in restored)


def test_checkpoint_holds_the_best_weights_written_at_each_improvement(tmp_path, monkeypatch):
    path = tmp_path / "best.npz"
    saved = []
    real_save = train.save
    monkeypatch.setattr(train, "save", lambda state, p: (saved.append(state["w"].copy()), real_save(state, p)))
    model, _ = scripted_fit(checkpoint=path)
    assert [w.tolist() for w in saved] == [[3.0], [2.0], [1.0], [0.5]]  # epochs 1, 2, 3, 7
    assert np.array_equal(mg.load(path)["w"], [0.5])
    assert os.listdir(tmp_path) == ["best.npz"]  # mg.save leaves no temporary file
    fresh = Scalar()
    fresh.load_state_dict(mg.load(path))
    assert np.array_equal(fresh.w.data, [0.5])


def test_checkpoint_in_a_missing_folder_fails_before_training(tmp_path):
    model = Scalar(7.0)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        fit(
            model, MSELoss(), ScriptedOptimizer(model.w, SCRIPT), ONES, 2, ONES, False, checkpoint=tmp_path / "no" / "c"
        )
    assert np.array_equal(model.w.data, [7.0])


@pytest.mark.parametrize(
    "options",
    [{"patience": 2}, {"restore_best": True}, {"checkpoint": "best.npz"}],
)
def test_validation_options_need_a_val_loader(options):
    model = Scalar()
    with pytest.raises(ValueError, match=f"{next(iter(options))}.*val_loader"):
        fit(model, MSELoss(), ScriptedOptimizer(model.w, SCRIPT), ONES, progress=False, **options)


@pytest.mark.parametrize(
    "options",
    [
        {"patience": 0},
        {"patience": -1},
        {"patience": True},
        {"patience": 1.5},
        {"restore_best": "yes"},
        {"on_nan": "skip"},
        {"on_nan": None},
        {"metric": "f1"},
        {"metric": 3},
    ],
)
def test_bad_options_are_value_errors(options):
    model = Scalar()
    with pytest.raises(ValueError, match=next(iter(options))):
        fit(model, MSELoss(), ScriptedOptimizer(model.w, SCRIPT), ONES, 1, ONES, progress=False, **options)


# ------------------------------------------------------------------------------ metrics


def mean_abs_error(output, target):
    assert isinstance(output, np.ndarray) and isinstance(target, np.ndarray)
    return float(np.mean(np.abs(output - target)))


def regression_data(n=10):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 3)).astype(np.float32)
    return X, (X @ np.array([[1.0], [-2.0], [0.5]])).astype(np.float32)


def test_a_custom_metric_is_recorded_under_its_name_averaged_over_samples():
    X, y = regression_data()
    batches = [(X[:4], y[:4]), (X[4:8], y[4:8]), (X[8:], y[8:])]  # sizes 4, 4, 2
    mg.manual_seed(0)
    model = Linear(3, 1)
    history = fit(
        model, MSELoss(), PlainSGD(model.parameters(), 0.0), batches, 2, val_loader=batches, metric=mean_abs_error,
        progress=False,
    )  # fmt: skip
    assert list(history) == ["loss", "mean_abs_error", "val_loss", "val_mean_abs_error", "lr", "time"]
    outputs = X.astype(np.float64) @ model.weight.data.T.astype(np.float64) + model.bias.data
    expected = np.mean(np.abs(outputs - y))  # lr=0: the model never changes
    for key in ("mean_abs_error", "val_mean_abs_error"):
        assert history[key] == pytest.approx([expected, expected], rel=1e-5)
    result = evaluate(model, batches, MSELoss(), metric=mean_abs_error)
    assert set(result) == {"loss", "mean_abs_error"}
    assert result["mean_abs_error"] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("name", ["loss", "lr", "time", "val_thing"])
def test_a_metric_cannot_take_a_name_the_history_uses(name):
    def metric(output, target):
        return 0.0

    metric.__name__ = name
    with pytest.raises(ValueError, match=name):
        evaluate(Linear(3, 1), [regression_data()], MSELoss(), metric=metric)


def test_regression_has_no_accuracy_by_default_and_metric_none_has_none():
    batches = [regression_data()]
    model = Linear(3, 1)
    history = fit(model, MSELoss(), PlainSGD(model.parameters(), 0.01), batches, 1, batches, progress=False)
    assert list(history) == ["loss", "val_loss", "lr", "time"]
    model = Linear(2, 2)
    history = fit(
        model, CrossEntropyLoss(), PlainSGD(model.parameters(), 0.01), blob_loader(), 1, blob_loader(), False,
        metric=None,
    )  # fmt: skip
    assert list(history) == ["loss", "val_loss", "lr", "time"]
    assert list(evaluate(model, blob_loader(), CrossEntropyLoss(), metric=None)) == ["loss"]


@pytest.mark.parametrize(
    "loss_fn",
    [
        CrossEntropyLoss(),
        NLLLoss(),
        F.cross_entropy,
        F.nll_loss,
        functools.partial(F.cross_entropy, label_smoothing=0.1),
    ],
)
def test_auto_metric_is_accuracy_for_the_classification_losses(loss_fn):
    model = Sequential(Linear(2, 2), mg.nn.LogSoftmax())
    history = fit(model, loss_fn, PlainSGD(model.parameters(), 0.0), blob_loader(), 1, progress=False)
    assert list(history) == ["loss", "accuracy", "lr", "time"]
    X, y = blobs()
    assert history["accuracy"][0] == mg.metrics.accuracy(model(mg.tensor(X)), y)


@pytest.mark.parametrize(
    ("loss_fn", "model"),
    [
        (BCEWithLogitsLoss(), Linear(2, 1)),
        (F.binary_cross_entropy_with_logits, Linear(2, 1)),
        (BCELoss(), Sequential(Linear(2, 1), mg.nn.Sigmoid())),
        (F.binary_cross_entropy, Sequential(Linear(2, 1), mg.nn.Sigmoid())),
    ],
)
def test_auto_metric_for_the_binary_losses_thresholds_logits_at_0_and_probabilities_at_one_half(loss_fn, model):
    X, y = blobs()
    target = y[:, None].astype(np.float32)
    accuracy = evaluate(model, [(X, target)], loss_fn)["accuracy"]
    logits = X @ model.parameters().__next__().data.T + list(model.parameters())[1].data
    assert accuracy == np.mean((logits > 0) == (target > 0.5))


def test_ignore_index_of_a_partial_cross_entropy_is_not_counted():
    model = Linear(2, 3)
    model.load_state_dict({"weight": np.eye(3, 2), "bias": np.zeros(3)})
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    y = np.array([0, 2, -1, -1])  # right, wrong, ignored, ignored
    assert evaluate(model, [(X, y)], functools.partial(F.cross_entropy, ignore_index=-1))["accuracy"] == 0.5


def test_accuracy_shape_mismatch_raises_in_fit_like_in_metrics_accuracy():
    def squares(output, target):  # a loss that does not look at the target
        return (output * output).mean()

    model = Linear(2, 3)
    X = np.ones((4, 2), dtype=np.float32)
    target = np.zeros((4, 2), dtype=np.int64)
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)") as in_metrics:
        mg.metrics.accuracy(model(mg.tensor(X)), target)
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)") as in_evaluate:
        evaluate(model, [(X, target)], squares, metric="accuracy")
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)"):
        fit(model, squares, PlainSGD(model.parameters(), 0.1), [(X, target)], metric="accuracy", progress=False)
    assert str(in_metrics.value) == str(in_evaluate.value)


# --------------------------------------------------------------------------- lr and time


def test_lr_is_the_rate_each_epoch_trained_with_before_the_scheduler_steps():
    model = Linear(2, 2)
    optimizer = mg.optim.SGD(model.parameters(), lr=0.1)
    scheduler = mg.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(model, CrossEntropyLoss(), optimizer, blob_loader(), 3, progress=False, scheduler=scheduler)
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025], rel=1e-12)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0125)


def test_reduce_lr_on_plateau_gets_the_validation_loss():
    plateau = getattr(mg.optim.lr_scheduler, "ReduceLROnPlateau", None)
    if plateau is None:
        pytest.skip("no ReduceLROnPlateau")
    seen = []

    class Recording(plateau):
        def step(self, metrics):
            seen.append(metrics)
            super().step(metrics)

    model = Scalar(3.0)
    optimizer = mg.optim.SGD(model.parameters(), lr=0.0)
    val_loader = [(np.ones((2, 1)), np.ones((2, 1)))]  # loss (3 - 1)**2 = 4, the training loss is 9
    history = fit(model, MSELoss(), optimizer, ONES, 3, val_loader, False, scheduler=Recording(optimizer))
    assert seen == history["val_loss"] == [4.0, 4.0, 4.0] and history["loss"] == [9.0, 9.0, 9.0]


def test_time_is_seconds_per_epoch():
    model = Linear(2, 2)
    history = fit(model, CrossEntropyLoss(), PlainSGD(model.parameters(), 0.1), blob_loader(), 2, progress=False)
    assert all(type(t) is float and 0 < t < 5 for t in history["time"])


def test_no_lr_key_for_an_optimizer_without_a_rate():
    class NoRate(PlainSGD):
        def __init__(self, params):
            super().__init__(params, 0.1)
            self.rate = self.__dict__.pop("lr")

        def step(self):
            for p in self.params:
                p.data -= self.rate * p.grad

    model = Linear(2, 2)
    history = fit(model, CrossEntropyLoss(), NoRate(model.parameters()), blob_loader(), 1, progress=False)
    assert list(history) == ["loss", "accuracy", "time"]


# ------------------------------------------------------------------------------ NaN losses


class NaNInEpoch:
    """A loader of two batches whose inputs are NaN in the listed (epoch, batch) places."""

    def __init__(self, bad):
        self.bad, self.epoch = set(bad), 0
        self.X, self.y = blobs(32)

    def __len__(self):
        return 2

    def __iter__(self):
        self.epoch += 1
        for batch in (1, 2):
            x = self.X[(batch - 1) * 16 : batch * 16].copy()
            if (self.epoch, batch) in self.bad:
                x[0, 0] = np.nan
            yield x, self.y[(batch - 1) * 16 : batch * 16]


class Snapshotting(PlainSGD):
    """Keeps a copy of the parameters after every step."""

    snapshots = None

    def step(self):
        super().step()
        self.snapshots = [p.data.copy() for p in self.params]


def test_on_nan_raise_names_epoch_and_batch_and_leaves_the_parameters_as_before_that_batch():
    mg.manual_seed(0)
    model = Linear(2, 2)
    optimizer = Snapshotting(model.parameters(), 0.1)
    with pytest.raises(FloatingPointError, match=r"nan at epoch 2, batch 2 \(counting from 1\)"):
        fit(model, CrossEntropyLoss(), optimizer, NaNInEpoch({(2, 2)}), 3, progress=False)
    for param, before in zip(model.parameters(), optimizer.snapshots, strict=True):
        assert np.array_equal(param.data, before) and np.all(np.isfinite(param.data))


def test_on_nan_raise_is_the_default_and_names_an_infinite_loss_too():
    model = Linear(2, 1)
    batches = [(np.ones((2, 2), dtype=np.float32), np.array([[np.inf], [0.0]], dtype=np.float32))]
    with pytest.raises(FloatingPointError, match="inf at epoch 1, batch 1"):
        fit(model, MSELoss(), PlainSGD(model.parameters(), 0.1), batches, progress=False)


def test_on_nan_warn_warns_once_per_epoch_and_trains_on():
    model = Linear(2, 2)
    with pytest.warns(RuntimeWarning) as caught:
        history = fit(
            model, CrossEntropyLoss(), PlainSGD(model.parameters(), 0.1), NaNInEpoch({(2, 1)}), 3, progress=False,
            on_nan="warn",
        )  # fmt: skip
    # the NaN step spoils the weights, so every later batch is NaN too: one warning per epoch
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert "epoch 2, batch 1" in messages[0] and "epoch 3, batch 1" in messages[1]
    assert np.isfinite(history["loss"][0]) and np.isnan(history["loss"][1]) and len(history["loss"]) == 3


def test_on_nan_ignore_trains_on_silently():
    model = Linear(2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = fit(
            model, CrossEntropyLoss(), PlainSGD(model.parameters(), 0.1), NaNInEpoch({(1, 2)}), 2, progress=False,
            on_nan="ignore",
        )  # fmt: skip
    assert len(history["loss"]) == 2 and np.isnan(history["loss"][1])


# ------------------------------------------------------------------------------ output


class Terminal(io.StringIO):
    """A stand-in for a terminal's stderr."""

    def isatty(self):
        return True


def frames(text):
    """Every state a terminal line went through (tqdm redraws with \\r)."""
    return [frame for frame in re.split(r"[\r\n]", text) if frame]


def test_on_a_terminal_fit_draws_an_80_column_bar_per_epoch(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    model = Linear(2, 2)
    history = fit(
        model, CrossEntropyLoss(), PlainSGD(model.parameters(), 0.1), blob_loader(), 2, val_loader=blob_loader(seed=1)
    )
    shown = frames(terminal.getvalue())
    assert "\r" in terminal.getvalue()
    assert all(len(frame) <= 80 for frame in shown)
    for epoch in (0, 1):
        final = [frame for frame in shown if frame.startswith(f"epoch {epoch + 1}/2 ")][-1]
        assert final.endswith(
            f"loss={history['loss'][epoch]:.4g} acc={history['accuracy'][epoch]:.3f} "
            f"vloss={history['val_loss'][epoch]:.4g} vacc={history['val_accuracy'][epoch]:.3f}"
        )


def render(desc, total, results, spec):
    """A bar drawn the way fit draws it, run to its end, as its frames."""
    file = io.StringIO()
    bar = train.make_bar(desc, total, file)
    shown = train._Bar(bar, spec)
    with shown:
        for done in (1, total // 2, total - 1, total):  # a few frames on the way, with the running numbers
            running = {name: value for name, value in results.items() if not name.startswith("val_")}
            bar.set_postfix_str(train.format_postfix(running, spec), refresh=False)
            bar.update(done - bar.n)
            bar.refresh()
        shown.finish(results)
    return frames(file.getvalue())


def test_the_bar_fits_80_columns_even_with_long_numbers_and_names(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)

    def a_metric_with_a_long_name(output, target):
        return 0.0

    spec = train._CustomMetric(a_metric_with_a_long_name)
    results = {
        "loss": -1.2345678e38,
        spec.name: 123456789.0,
        "val_loss": float("nan"),
        f"val_{spec.name}": -9.87654e-300,
    }
    for shown in (
        render("epoch 1000/1000", 3, results, spec),
        render("epoch 1/1", 12345, {"loss": 1e-7, "val_loss": 2e-9}, None),
    ):
        assert all(len(frame) <= 80 for frame in shown)
        assert all(re.search(r" \|.{10}\| ", frame) for frame in shown)  # the bar keeps its 10 columns


def test_the_bar_is_cut_to_a_narrower_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "50")
    spec = train._metric_spec("accuracy", CrossEntropyLoss())
    shown = render("epoch 10/10", 100, {"loss": 0.5, "accuracy": 0.75, "val_loss": 0.5, "val_accuracy": 0.75}, spec)
    assert max(len(frame) for frame in shown) == 50


def test_the_bar_shows_everyday_numbers_in_full(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # wider terminals still get 80 columns
    spec = train._metric_spec("accuracy", CrossEntropyLoss())
    results = {"loss": 0.012345, "accuracy": 0.987654, "val_loss": 2.3456789, "val_accuracy": 0.5, "lr": 0.1}
    shown = render("epoch 100/100", 1000, results, spec)
    assert len(shown[-1]) <= 80
    assert shown[-1].endswith("loss=0.01235 acc=0.988 vloss=2.346 vacc=0.500")


def test_off_a_terminal_each_epoch_is_one_line_and_notes_say_why_training_stopped(capsys):
    model, history = scripted_fit(patience=2, restore_best=True, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "\r" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 7  # five epochs, the stop, the restore
    assert lines[0] == f"epoch 1/8  loss 0.0000  val_loss 9.0000  lr 0.5  {history['time'][0]:.3g}s"
    assert lines[3].startswith("epoch 4/8  loss 1.0000  val_loss 2.2500  lr 0.5  ")
    assert lines[5] == "early stop after epoch 5: no lower validation loss for 2 epochs; best epoch 3 (1)"
    assert lines[6] == "restored the weights of epoch 3 (validation loss 1)"


def test_the_plain_line_formats_large_and_small_numbers():
    line = train.format_epoch_line("epoch 2/9", {"loss": 123456.0, "accuracy": 0.95, "val_loss": 1e-5, "time": 12.34})
    assert line == "epoch 2/9  loss 1.235e+05  accuracy 0.9500  val_loss 1e-05  12.3s"


# ----------------------------------------------------------------------------- predict


class Recorder(Module):
    """A Linear that notes each forward's training mode, grad mode and batch size."""

    def __init__(self):
        super().__init__()
        self.fc = Linear(3, 2)
        self.drop = Dropout(0.5)
        self.seen = []

    def forward(self, x):
        self.seen.append((self.training, mg.is_grad_enabled(), len(x)))
        return self.drop(self.fc(x))


@pytest.mark.parametrize("training", [True, False])
def test_predict_runs_in_eval_mode_without_grad_in_batches_and_restores_the_mode(training):
    mg.manual_seed(0)
    model = Recorder().train(training)
    X = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32)
    out = predict(model, X, batch_size=4)
    assert isinstance(out, np.ndarray) and out.shape == (10, 2)
    assert model.seen == [(False, False, 4), (False, False, 4), (False, False, 2)]
    assert model.training is training and model.drop.training is training
    expected = X @ model.fc.weight.data.T + model.fc.bias.data  # no dropout in eval mode
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    np.testing.assert_array_equal(predict(model, mg.tensor(X)), out)  # a Tensor too, one batch


def test_predict_restores_the_mode_after_an_error():
    class Broken(Module):
        def forward(self, x):
            raise RuntimeError("boom")

    model = Broken()
    with pytest.raises(RuntimeError, match="boom"):
        predict(model, np.zeros((3, 1)))
    assert model.training


def test_predict_of_no_rows_and_bad_arguments():
    model = Linear(3, 2)
    assert predict(model, np.zeros((0, 3), dtype=np.float32)).shape == (0, 2)
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="batch_size"):
            predict(model, np.zeros((2, 3)), batch_size=bad)
    with pytest.raises(ValueError, match="batch axis"):
        predict(model, np.float32(1.0))
