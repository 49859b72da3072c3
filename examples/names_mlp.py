"""A character-level language model of names: the MLP of Bengio et al. (2003), with BatchNorm.

    python examples/names_mlp.py                     # validation loss about 2.1 nats per character
    python examples/names_mlp.py --quick             # a few seconds, for a smoke test

The 32,033 names of ``mg.data.load_names()`` are shuffled (by ``--seed``) and split
80/10/10 into training, validation and test names. Each name, padded with the end mark
``.``, gives one example per character: the 3 characters before it (``.`` before the
start) and the character itself, one of 27 symbols (``.`` and a-z).

The model looks each context character up in an embedding table, puts the 3 vectors side
by side and maps them to the logits of the next character:

    Embedding(27, 10) -> flatten (3*10) -> Linear(30, 200) -> BatchNorm1d -> Tanh -> Linear(200, 27)

It is trained on random minibatches of training examples, written out as a plain loop
(faster than ``mg.train.fit`` for batches this small), with SGD and a learning rate that
steps down by 10x for the last part of training. The loss is the cross-entropy of the
next character in nats. Two baselines put it in context: a model that knows nothing
gives every symbol probability 1/27 and scores ln 27 = 3.2958; counting which character
follows which in the training names (a bigram model, with add-one smoothing) scores
about 2.45. At the end, 20 names are sampled from the model (in eval mode) and the last
line is the validation loss.
"""

import math
import sys
import time

import _common  # first: it sets the BLAS threads before NumPy loads
import _plotting
import numpy as np
from tqdm import tqdm

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.optim as optim

END = "."
ALPHABET = END + "abcdefghijklmnopqrstuvwxyz"  # index 0 is the end (and start) mark
INDEX = {char: i for i, char in enumerate(ALPHABET)}


def parse_args():
    parser = _common.make_parser(__doc__, epochs=1, lr=0.2, batch_size=128)
    parser.add_argument(
        "--steps", type=_common.positive_int, default=20_000, help="training steps (minibatches) (default: %(default)s)"
    )
    parser.add_argument("--context", type=_common.positive_int, default=3, help="characters of context (default: 3)")
    parser.add_argument("--embed", type=_common.positive_int, default=10, help="embedding size (default: 10)")
    parser.add_argument("--hidden", type=_common.positive_int, default=200, help="hidden units (default: 200)")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke test: 1,000 steps of a smaller model (a few seconds)"
    )
    args = parser.parse_args()
    if args.quick:
        args.steps, args.embed, args.hidden = 1000, 8, 64
    # --epochs is the number of passes over the training examples, in steps of --batch-size;
    # --steps (the usual way to say how long to train) wins unless --epochs is given.
    if "--epochs" in sys.argv[1:]:
        args.steps = None
    return args


def examples(names, context):
    """(contexts int64 (N, context), next characters int64 (N,)) for every character of every name."""
    contexts, targets = [], []
    for name in names:
        window = [0] * context
        for char in name + END:
            contexts.append(window)
            targets.append(INDEX[char])
            window = window[1:] + [INDEX[char]]
    return np.array(contexts, dtype=np.int64), np.array(targets, dtype=np.int64)


def bigram_loss(train_names, val_names):
    """Validation cross-entropy (nats per character) of bigram counts from the training names, add-one smoothed."""
    counts = np.ones((27, 27))
    previous, following = examples(train_names, 1)
    np.add.at(counts, (previous[:, 0], following), 1)
    log_probs = np.log(counts / counts.sum(axis=1, keepdims=True))
    previous, following = examples(val_names, 1)
    return float(-log_probs[previous[:, 0], following].mean())


def make_model(context, embed, hidden):
    """Embedding -> flatten -> Linear -> BatchNorm1d -> Tanh -> Linear(-> 27 logits)."""
    return nn.Sequential(
        nn.Embedding(len(ALPHABET), embed),
        nn.Flatten(),  # (B, context, embed) -> (B, context * embed)
        nn.Linear(context * embed, hidden, bias=False),  # BatchNorm's shift does the bias's job
        nn.BatchNorm1d(hidden),
        nn.Tanh(),
        nn.Linear(hidden, len(ALPHABET)),
    )


def evaluate(model, X, y, batch_size=8192):
    """(mean cross-entropy, accuracy of the most likely next character) on (X, y) in eval mode
    (BatchNorm's running statistics)."""
    model.eval()
    total, correct = 0.0, 0
    with mg.no_grad():
        for start in range(0, len(X), batch_size):
            logits = model(mg.tensor(X[start : start + batch_size]))
            targets = y[start : start + batch_size]
            total += F.cross_entropy(logits, targets, reduction="sum").item()
            correct += int((logits.numpy().argmax(axis=1) == targets).sum())
    model.train()
    return total / len(X), correct / len(X)


def sample_names(model, context, count, rng):
    """``count`` names drawn from the model one character at a time (eval mode)."""
    model.eval()
    names = []
    with mg.no_grad():
        for _ in range(count):
            window, chars = [0] * context, []
            while len(chars) < 50:
                probs = F.softmax(model(mg.tensor(np.array([window]))), axis=1).numpy()[0].astype(np.float64)
                nxt = int(rng.choice(len(ALPHABET), p=probs / probs.sum()))
                if nxt == 0:
                    break
                chars.append(ALPHABET[nxt])
                window = window[1:] + [nxt]
            names.append("".join(chars))
    model.train()
    return names


def main():
    args = parse_args()
    plot = args.plot and _plotting.plotting_available()
    mg.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    names = mg.data.load_names()
    order = rng.permutation(len(names))
    names = [names[i] for i in order]
    n_train, n_val = int(0.8 * len(names)), int(0.1 * len(names))
    train_names, val_names = names[:n_train], names[n_train : n_train + n_val]
    X_train, y_train = examples(train_names, args.context)
    X_val, y_val = examples(val_names, args.context)
    steps = args.steps if args.steps is not None else args.epochs * math.ceil(len(X_train) / args.batch_size)
    decay_at = int(0.75 * steps)  # the learning rate drops 10x for the last quarter

    model = make_model(args.context, args.embed, args.hidden)
    with mg.no_grad():
        model[-1].weight.copy_(
            model[-1].weight * 0.1
        )  # small initial logits: the first loss is near ln 27, not far above it
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
    scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[decay_at], gamma=0.1)
    n_parameters = sum(p.numel() for p in model.parameters())
    print(
        f"names: {len(train_names)} training / {len(val_names)} validation / "
        f"{len(names) - n_train - n_val} test names; {len(X_train)} training and {len(X_val)} validation characters"
    )
    print(
        f"model: context {args.context}, embedding {args.embed}, hidden {args.hidden}, {n_parameters:,} parameters; "
        f"{steps} steps of batch {args.batch_size}, lr {args.lr} (x0.1 from step {decay_at})"
    )

    started = time.perf_counter()
    # One history entry per tenth of training (what --plot draws as "epochs").
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": [], "time": []}
    eval_every = max(1, steps // 10)
    running = None
    bar = tqdm(range(1, steps + 1), desc="training", ncols=80, disable=args.quiet)
    for step in bar:
        rows = rng.integers(0, len(X_train), size=args.batch_size)
        logits = model(mg.tensor(X_train[rows]))
        loss = F.cross_entropy(logits, y_train[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        value = loss.item()
        running = value if running is None else 0.99 * running + 0.01 * value
        if step % eval_every == 0 or step == steps:
            history["loss"].append(running)
            history["accuracy"].append(float((logits.numpy().argmax(axis=1) == y_train[rows]).mean()))
            val_loss, val_accuracy = evaluate(model, X_val, y_val)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_accuracy)
            history["time"].append(time.perf_counter() - started)
        if step % 100 == 0:
            bar.set_postfix(loss=f"{running:.3f}")
    bar.close()

    val_loss = history["val_loss"][-1]
    train_loss = evaluate(model, X_train, y_train)[0]
    print(f"trained in {time.perf_counter() - started:.1f} s")
    print("validation loss, nats per character (lower is better):")
    print(f"  know-nothing baseline, ln 27:   {math.log(27):.4f}")
    print(f"  bigram counts (from training):  {bigram_loss(train_names, val_names):.4f}")
    print(f"  this MLP:                       {val_loss:.4f}   (training set: {train_loss:.4f})")
    print("20 names sampled from the model:")
    print("  " + ", ".join(sample_names(model, args.context, 20, rng)))
    if plot:
        _plotting.save_plot(args.plot, {"names MLP": history})
    print(f"validation loss: {val_loss:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
