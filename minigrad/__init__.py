"""minigrad: a small, readable reverse-mode automatic differentiation framework on NumPy.

import minigrad as mg
x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
(x * x).sum().backward()      # x.grad == [2, 4, 6]
"""

import numpy as np

from .tensor import Tensor, device, tensor
from . import autograd
from .autograd import enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from .factories import arange, eye, full, ones, ones_like, rand, randn, zeros, zeros_like
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .ops import (
    abs,
    clip,
    concatenate,
    exp,
    expand_dims,
    flatten,
    linear,
    log,
    log_softmax,
    logsigmoid,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    squeeze,
    stack,
    sum,
    swapaxes,
    tanh,
    transpose,
    where,
)
from .ops import concatenate as cat
from .random import manual_seed
from . import data, metrics, nn, optim, train, viz
from .debug import detect_anomaly, trace

autograd.trace = trace  # mg.autograd.trace: attached here, so the engine never imports its observers
from .io import load, save

float16, float32, float64 = np.float16, np.float32, np.float64
int32, int64, bool_ = np.int32, np.int64, np.bool_
float, double, long = np.float32, np.float64, np.int64  # PyTorch's names (shadowing the builtins only as mg.float)

__version__ = "0.1.0"
