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

cat = concatenate  # PyTorch's name
