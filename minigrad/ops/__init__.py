"""Every differentiable op, each a Function with its forward and backward side by side.

Called on Tensors they record the graph; called on ndarrays they are plain NumPy
(that is how backward rules, written with these same functions, stay cheap).
"""

from .elementwise import (
    abs,
    add,
    astype,
    clip,
    div,
    equal,
    exp,
    greater,
    greater_equal,
    less,
    less_equal,
    log,
    logical_and,
    logical_not,
    logical_or,
    logsigmoid,
    maximum,
    minimum,
    mul,
    neg,
    not_equal,
    pow,
    relu,
    sigmoid,
    sign,
    sqrt,
    sub,
    tanh,
    where,
)
from .linalg import linear, matmul
from .reduce import argmax, argmin, log_softmax, logsumexp, max, mean, min, softmax, sum
from .shape import (
    broadcast_to,
    concatenate,
    expand_dims,
    flatten,
    getitem,
    plain_index,
    reshape,
    scatter_add,
    squeeze,
    stack,
    sum_to,
    swapaxes,
    transpose,
)

from .activations import (
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    mish,
    relu6,
    selu,
    silu,
    softmin,
    softplus,
    softsign,
)
from .einsum import einsum
from .maths import (
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    ceil,
    cos,
    cosh,
    erf,
    exp2,
    expm1,
    floor,
    floor_divide,
    fmod,
    isfinite,
    isinf,
    isnan,
    log1p,
    log2,
    log10,
    logaddexp,
    reciprocal,
    remainder,
    round,
    sin,
    sinh,
    square,
    tan,
    trunc,
)
from .rearrange import flip, masked_fill, pad, repeat, roll, split, take_along_axis, tile, tril, triu
from .sorting import argsort, sort, topk
from .statistics import all, any, cumprod, cumsum, norm, prod, std, var

cat = concatenate  # PyTorch's name
