"""minigrad: a small, readable reverse-mode automatic differentiation framework on NumPy.

import minigrad as mg
x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
(x * x).sum().backward()      # x.grad == [2, 4, 6]
"""

import numpy as np

from .tensor import Tensor, device, tensor
from . import autograd
from .autograd import enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from .factories import (
    arange,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    zeros,
    zeros_like,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .ops import (  # noqa: A004  (NumPy's names: mg.sum, mg.max, mg.abs, ...)
    abs,
    all,
    any,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    argmax,
    argmin,
    argsort,
    broadcast_to,
    cat,
    ceil,
    clip,
    concatenate,
    cos,
    cosh,
    cumprod,
    cumsum,
    einsum,
    erf,
    exp,
    exp2,
    expand_dims,
    expm1,
    flatten,
    flip,
    floor,
    floor_divide,
    fmod,
    isfinite,
    isinf,
    isnan,
    linear,
    log,
    log1p,
    log2,
    log10,
    log_softmax,
    logaddexp,
    logsigmoid,
    logsumexp,
    masked_fill,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    norm,
    pad,
    pow,
    prod,
    reciprocal,
    relu,
    remainder,
    repeat,
    reshape,
    roll,
    round,
    sigmoid,
    sign,
    sin,
    sinh,
    softmax,
    sort,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sum,
    swapaxes,
    take_along_axis,
    tan,
    tanh,
    tile,
    topk,
    transpose,
    tril,
    triu,
    trunc,
    var,
    where,
)
from .random import manual_seed
from . import data, metrics, nn, optim, train, viz
from .debug import detect_anomaly, trace

autograd.trace = trace  # mg.autograd.trace: attached here, so the engine never imports its observers
from .io import load, save

float16, float32, float64 = np.float16, np.float32, np.float64
int32, int64, bool_ = np.int32, np.int64, np.bool_
float, double, long = np.float32, np.float64, np.int64  # PyTorch's names (shadowing the builtins only as mg.float)

__version__ = "0.1.0"
