"""One training step of the example models: ``cnn_digits_step`` and ``gpt_step``.

``cnn_digits_step``: the CNN of examples/cnn_digits.py (channels 32-64-64) on a batch of 64
8x8 digits, forward + backward + Adam; PyTorch's same network beside it when installed.
``gpt_step``: the transformer of examples/names_gpt.py (width 64, 4 blocks, 4 heads, blocks of
16 characters) on a batch of 32 names, forward + backward + clipping + AdamW; PyTorch's same
transformer beside it when installed. The models are
imported from the examples themselves, so the benchmark times exactly what they train.
There is no NumPy baseline for whole models: the rows report times, and PyTorch's.
"""

import os
import sys
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples"))

import cnn_digits  # noqa: E402
import names_gpt  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402

CHANNELS = (32, 64, 64)


def cnn_steps(torch=None, batch=64, seed=0):
    mg.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.random((batch, 1, 8, 8), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    model = cnn_digits.make_cnn(CHANNELS)
    optimizer = mg.optim.Adam(model.parameters(), lr=1e-3)
    inputs = mg.tensor(x)

    def step():
        optimizer.zero_grad()
        F.cross_entropy(model(inputs), y).backward()
        optimizer.step()

    found = {"minigrad": step}
    if torch is not None:
        found["torch"] = _torch_cnn_step(torch, x, y)
    return found


def _torch_cnn_step(torch, x, y):
    layers = []
    for c_in, c_out, pool in (
        (1, CHANNELS[0], False),
        (CHANNELS[0], CHANNELS[1], True),
        (CHANNELS[1], CHANNELS[2], True),
    ):
        layers += [torch.nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), torch.nn.BatchNorm2d(c_out), torch.nn.ReLU()]
        layers += [torch.nn.MaxPool2d(2)] if pool else []
    model = torch.nn.Sequential(*layers, torch.nn.Flatten(), torch.nn.Linear(CHANNELS[2] * 4, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(inputs), targets).backward()
        optimizer.step()

    return step


def _torch_gpt_step(torch, inputs, targets, block_size=16, width=64, n_layer=4, n_head=4, vocab=27):
    """The same transformer in torch.nn (shapes and layer order of names_gpt.GPT), with PyTorch's own init."""
    nn_ = torch.nn

    class Block(nn_.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn_.LayerNorm(width), nn_.LayerNorm(width)
            self.qkv, self.proj = nn_.Linear(width, 3 * width), nn_.Linear(width, width)
            self.mlp = nn_.Sequential(
                nn_.Linear(width, 4 * width), nn_.GELU(approximate="tanh"), nn_.Linear(4 * width, width)
            )

        def forward(self, x):
            b, t, c = x.shape
            qkv = self.qkv(self.ln1(x)).reshape(b, t, 3, n_head, c // n_head).permute(2, 0, 3, 1, 4)
            y = nn_.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_causal=True)
            x = x + self.proj(y.transpose(1, 2).reshape(b, t, c))
            return x + self.mlp(self.ln2(x))

    class GPT(nn_.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn_.Embedding(vocab, width), nn_.Embedding(block_size, width)
            self.blocks = nn_.ModuleList([Block() for _ in range(n_layer)])
            self.ln_f, self.head = nn_.LayerNorm(width), nn_.Linear(width, vocab)

        def forward(self, idx):
            x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln_f(x))

    model = GPT()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    x, y = torch.from_numpy(inputs).long(), torch.from_numpy(targets).long()

    def step():
        optimizer.zero_grad()
        logits = model(x)
        torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1), ignore_index=-1).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    return step


def gpt_steps(torch=None, batch=32, seed=0):
    mg.manual_seed(seed)
    args = SimpleNamespace(block_size=16, n_embd=64, n_layer=4, n_head=4)
    model = names_gpt.make_model(args)
    inputs, targets = names_gpt.encode(mg.data.load_names()[: batch * 4], args.block_size)
    inputs, targets = inputs[:batch], targets[:batch]
    optimizer = mg.optim.AdamW(model.parameters(), lr=3e-3)

    def step():
        optimizer.zero_grad()
        names_gpt.batch_loss(model, inputs, targets).backward()
        mg.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    found = {"minigrad": step}
    if torch is not None:
        found["torch"] = _torch_gpt_step(torch, inputs, targets)
    return found
