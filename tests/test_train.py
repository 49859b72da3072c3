"""fit and evaluate: learning, history, progress output, modes, and the averages."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader, TensorDataset
from minigrad.nn.layers import MLP, Linear, Sequential, Sigmoid
from minigrad.nn.loss_modules import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from minigrad.nn.module import Module
from minigrad.train import evaluate, fit


class PlainSGD:
    """The smallest optimizer fit needs, so these tests do not depend on minigrad.optim."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        for p in self.params:
            if p.grad is not None:
                p.data -= self.lr * p.grad


def two_blobs(n=64, seed=0):
    """Two well separated Gaussian clouds in 2-D, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return X.astype(np.float32), y.astype(np.int64)


def blob_loader(n=64, batch_size=16, seed=0):
    X, y = two_blobs(n, seed)
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, seed=seed)


def log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------- learning


def test_fit_lowers_the_loss_on_a_separable_problem():
    mg.manual_seed(0)
    model = MLP([2, 8, 2])
    loader = blob_loader()
    before = evaluate(model, loader, CrossEntropyLoss())
    history = fit(model, CrossEntropyLoss(), PlainSGD(model.parameters(), lr=0.2), loader, epochs=15, progress=False)
    after = evaluate(model, loader, CrossEntropyLoss())
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert after["loss"] < 0.2 * before["loss"]
    assert history["accuracy"][-1] >= 0.95 and after["accuracy"] == 1.0


def test_fit_works_with_minigrad_optim_sgd():
    optim = pytest.importorskip("minigrad.optim")
    if not hasattr(optim, "SGD"):
        pytest.skip("minigrad.optim.SGD is not in yet")
    mg.manual_seed(0)
    model = MLP([2, 8, 2])
    history = fit(
        model, CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.2), blob_loader(), epochs=10, progress=False
    )
    assert history["loss"][-1] < 0.5 * history["loss"][0]


def test_fit_runs_the_documented_step_and_one_scheduler_step_per_epoch():
    calls = []

    class RecordingOptimizer(PlainSGD):
        def zero_grad(self):
            calls.append("zero_grad")
            super().zero_grad()

        def step(self):
            assert all(p.grad is not None for p in self.params)  # backward ran first
            calls.append("step")
            super().step()

    class RecordingScheduler:
        steps = 0

        def step(self):
            calls.append("scheduler")
            self.steps += 1

    model = Linear(2, 2)
    scheduler = RecordingScheduler()
    fit(
        model,
        CrossEntropyLoss(),
        RecordingOptimizer(model.parameters(), 0.1),
        blob_loader(n=40, batch_size=16),
        epochs=2,
        progress=False,
        scheduler=scheduler,
    )
    one_epoch = ["zero_grad", "step"] * 3 + ["scheduler"]  # batches of 16, 16, 8
    assert calls == one_epoch * 2 and scheduler.steps == 2


# ---------------------------------------------------------------------------- history


def test_history_keys_lengths_and_types():
    mg.manual_seed(0)
    model = Linear(2, 2)
    history = fit(model, CrossEntropyLoss(), PlainSGD(model.parameters(), 0.1), blob_loader(), epochs=3, progress=False)
    assert list(history) == ["loss", "accuracy", "lr", "time"]
    assert history["lr"] == [0.1, 0.1, 0.1]
    for values in history.values():
        assert len(values) == 3 and all(type(v) is float for v in values)
    assert all(0.0 <= a <= 1.0 for a in history["accuracy"])


def test_history_with_validation_matches_evaluate():
    mg.manual_seed(0)
    model = Linear(2, 2)
    val_loader = blob_loader(n=30, batch_size=8, seed=1)
    history = fit(
        model,
        CrossEntropyLoss(),
        PlainSGD(model.parameters(), 0.1),
        blob_loader(),
        epochs=2,
        val_loader=val_loader,
        progress=False,
    )
    assert list(history) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"]
    assert all(len(values) == 2 for values in history.values())
    assert all(type(v) is float for values in history.values() for v in values)
    final = evaluate(model, val_loader, CrossEntropyLoss())
    assert history["val_loss"][-1] == pytest.approx(final["loss"], rel=1e-6)
    assert history["val_accuracy"][-1] == final["accuracy"]


def test_history_loss_weights_each_batch_by_its_size():
    # lr=0 keeps the model fixed, so the epoch loss is the plain mean over all samples
    model = Linear(2, 2)
    loader = blob_loader(n=40, batch_size=16)  # batches of 16, 16 and 8
    history = fit(model, CrossEntropyLoss(), PlainSGD(model.parameters(), 0.0), loader, epochs=1, progress=False)
    assert history["loss"][0] == pytest.approx(evaluate(model, loader, CrossEntropyLoss())["loss"], rel=1e-6)


def test_zero_epochs_gives_empty_history():
    model = Linear(2, 2)
    history = fit(
        model,
        CrossEntropyLoss(),
        PlainSGD(model.parameters(), 0.1),
        blob_loader(),
        epochs=0,
        val_loader=blob_loader(),
        progress=False,
    )
    assert history == {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": [], "lr": [], "time": []}


def test_empty_loader_is_an_error():
    model = Linear(2, 2)
    with pytest.raises(ValueError, match="no batches"):
        fit(model, CrossEntropyLoss(), PlainSGD(model.parameters(), 0.1), [], progress=False)
    with pytest.raises(ValueError, match="no batches"):
        evaluate(model, [], CrossEntropyLoss())


# --------------------------------------------------------------------------- progress


def test_progress_off_a_terminal_is_one_plain_line_per_epoch_on_stderr(capsys):
    # capsys's stderr is not a terminal, like a log file or a CI job
    model = Linear(2, 2)
    history = fit(
        model,
        CrossEntropyLoss(),
        PlainSGD(model.parameters(), 0.1),
        blob_loader(),
        epochs=2,
        val_loader=blob_loader(seed=1),
    )
    captured = capsys.readouterr()
    assert captured.out == "" and "\r" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 2
    for epoch, line in enumerate(lines):
        expected = (
            f"epoch {epoch + 1}/2  loss {history['loss'][epoch]:.4f}  accuracy {history['accuracy'][epoch]:.4f}  "
            f"val_loss {history['val_loss'][epoch]:.4f}  val_accuracy {history['val_accuracy'][epoch]:.4f}  "
            f"lr 0.1  {history['time'][epoch]:.3g}s"
        )
        assert line == expected


def test_no_output_without_progress(capsys):
    model = Linear(2, 2)
    fit(
        model,
        CrossEntropyLoss(),
        PlainSGD(model.parameters(), 0.1),
        blob_loader(),
        epochs=2,
        val_loader=blob_loader(),
        progress=False,
    )
    evaluate(model, blob_loader(), CrossEntropyLoss())
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# ------------------------------------------------------------------------------ modes


class ModeRecorder(Module):
    """A linear model that notes the training mode and grad mode of every forward call."""

    def __init__(self):
        super().__init__()
        self.fc = Linear(2, 2)
        self.seen = []

    def forward(self, x):
        self.seen.append((self.training, mg.is_grad_enabled()))
        return self.fc(x)


def test_fit_trains_in_train_mode_and_validates_in_eval_mode_without_grad():
    model = ModeRecorder()
    model.eval()  # fit must switch it back to training
    fit(
        model,
        CrossEntropyLoss(),
        PlainSGD(model.parameters(), 0.1),
        blob_loader(n=32, batch_size=16),
        epochs=2,
        val_loader=blob_loader(n=8, batch_size=8),
        progress=False,
    )
    train_call, val_call = (True, True), (False, False)
    assert model.seen == [train_call, train_call, val_call] * 2
    assert model.training and model.fc.training


@pytest.mark.parametrize("training", [True, False])
def test_evaluate_restores_the_previous_mode(training):
    model = ModeRecorder().train(training)
    evaluate(model, blob_loader(n=8, batch_size=8), CrossEntropyLoss())
    assert model.seen == [(False, False)]
    assert model.training is training and model.fc.training is training


def test_evaluate_restores_the_mode_after_an_error():
    model = ModeRecorder()

    def broken_loss(output, target):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        evaluate(model, blob_loader(n=8, batch_size=8), broken_loss)
    assert model.training


# ------------------------------------------------------------------ evaluate's values


def test_evaluate_matches_a_naive_computation_over_uneven_batches():
    mg.manual_seed(4)
    model = Linear(3, 4)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 3)).astype(np.float32)
    y = rng.integers(0, 4, size=10)
    batches = [(X[:4], y[:4]), (mg.tensor(X[4:8]), mg.tensor(y[4:8])), (X[8:], y[8:])]
    result = evaluate(model, batches, CrossEntropyLoss())
    logits = X.astype(np.float64) @ model.weight.data.T + model.bias.data
    per_sample = -log_softmax(logits)[np.arange(10), y]
    assert type(result["loss"]) is float and type(result["accuracy"]) is float
    assert result["loss"] == pytest.approx(per_sample.mean(), rel=1e-5)
    assert result["accuracy"] == pytest.approx(np.mean(logits.argmax(-1) == y))


def test_evaluate_binary_logits_use_zero_as_the_threshold():
    model = Linear(2, 1)
    model.load_state_dict({"weight": [[1.0, 0.0]], "bias": [0.0]})
    X = np.array([[-2.0, 0], [-1.0, 0], [0.5, 0], [3.0, 0]], dtype=np.float32)
    t = np.array([[0.0], [1.0], [1.0], [1.0]], dtype=np.float32)
    result = evaluate(model, [(X, t)], BCEWithLogitsLoss())
    z = X[:, :1].astype(np.float64)
    naive = np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))))
    assert result["accuracy"] == 0.75
    assert result["loss"] == pytest.approx(naive, rel=1e-6)


def test_evaluate_binary_probabilities_use_one_half_as_the_threshold():
    model = Sequential(Linear(1, 1), Sigmoid())
    model.load_state_dict({"0.weight": [[1.0]], "0.bias": [0.0]})
    X = np.array([[-1.0], [0.5], [2.0]], dtype=np.float32)  # probabilities .27, .62, .88
    t = np.array([[0.0], [0.0], [1.0]], dtype=np.float32)
    assert evaluate(model, [(X, t)], BCELoss())["accuracy"] == pytest.approx(2 / 3)


def test_evaluate_does_not_guess_an_accuracy_for_one_score_per_sample():
    class Score(Module):
        def forward(self, x):
            return x[:, 0]

    X = np.array([[-1.5], [2.5], [3.5], [-4.5]], dtype=np.float32)
    y = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    result = evaluate(Score(), [(X, y)], MSELoss())  # a regression loss: no accuracy
    assert result == {"loss": pytest.approx(np.mean((X[:, 0] - y) ** 2))}
    with pytest.raises(ValueError, match="logits > 0"):  # scores are not labels, like metrics.accuracy
        evaluate(Score(), [(X, y)], MSELoss(), metric="accuracy")
    with_logits_loss = evaluate(Score(), [(X, y)], BCEWithLogitsLoss())  # the loss says: logits, threshold 0
    assert with_logits_loss["accuracy"] == 0.75


def test_evaluate_with_class_probability_targets_compares_argmaxes():
    model = Linear(2, 3)
    model.load_state_dict({"weight": np.eye(3, 2), "bias": np.zeros(3)})
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)  # predicts 0, 1, 0
    targets = np.array([[0.9, 0.1, 0.0], [0.0, 0.2, 0.8], [1.0, 0.0, 0.0]], dtype=np.float32)
    assert evaluate(model, [(X, targets)], CrossEntropyLoss())["accuracy"] == pytest.approx(2 / 3)


def test_evaluate_ignores_ignore_index_targets_in_accuracy():
    model = Linear(2, 3)
    model.load_state_dict({"weight": np.eye(3, 2), "bias": np.zeros(3)})
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    y = np.array([0, 2, -1, -1])  # right, wrong, ignored, ignored
    result = evaluate(model, [(X, y)], CrossEntropyLoss(ignore_index=-1))
    assert result["accuracy"] == 0.5


def test_evaluate_averages_per_sample_losses_from_reduction_none():
    mg.manual_seed(5)
    model = Linear(2, 2)
    loader = blob_loader(n=20, batch_size=8)
    mean = evaluate(model, loader, CrossEntropyLoss())
    per_sample = evaluate(model, loader, CrossEntropyLoss(reduction="none"))
    assert per_sample["loss"] == pytest.approx(mean["loss"], rel=1e-6)
    assert per_sample["accuracy"] == mean["accuracy"]
