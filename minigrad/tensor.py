"""The Tensor: an ndarray plus what reverse-mode autodiff needs to know about it.

A Tensor holds its values in ``.data`` (a NumPy array), the gradient that
``backward()`` accumulates in ``.grad``, and, when it was produced by an op that
needs a gradient, the graph node ``_node`` that made it (a ``Function`` from
``autograd.py``, which remembers the op's inputs). Tensors made by the user
are leaves: they have no node.

Every method here is a thin door into ``ops``: the maths lives there.
"""

import numpy as np

# The default float type: Python floats and lists of floats become float32.
DEFAULT_FLOAT = np.dtype(np.float32)


def to_array(x):
    """The ndarray behind ``x``: a Tensor's ``.data``, anything else through ``np.asarray``.

    The one way to unwrap a value whose gradient is not wanted (a mask, an index, labels).
    """
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def as_float(array):
    """Integer and bool arrays as the default float (float32), like PyTorch's unary maths; floats unchanged."""
    return array if array.dtype.kind in "fc" else array.astype(DEFAULT_FLOAT)


def as_array(data, dtype=None):
    """``data`` (scalar, nested list, ndarray or Tensor) as an ndarray, with minigrad's dtype rules."""
    if isinstance(data, Tensor):
        array = data.data
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        array = np.asarray(data)
        if array.dtype == np.float64 and dtype is None:
            array = array.astype(DEFAULT_FLOAT)  # Python floats -> float32
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    return array


class Tensor:
    """An n-dimensional array that can record the ops applied to it and differentiate them.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
    """

    __slots__ = ("data", "grad", "requires_grad", "_node", "__weakref__")
    # ndarray <op> Tensor must defer to Tensor's reflected operator, not loop over elements.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, dtype=None):
        array = as_array(data, dtype)
        if array is data or (isinstance(data, Tensor) and array is data.data):
            array = array.copy()  # like torch.tensor: a new Tensor owns its values
        if array.dtype == object:
            raise TypeError(f"cannot make a Tensor from {type(data).__name__} of objects")
        self.data = array
        self.grad = None
        self.requires_grad = False
        self._node = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _from_op(cls, data, node=None):
        """A Tensor around an op's freshly made array; ``node`` is the op if a gradient is wanted."""
        out = cls.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data)  # NumPy gives 0-d results as scalars
        out.grad = None
        out.requires_grad = node is not None
        out._node = node
        return out

    # --- attributes -------------------------------------------------------------------
    shape = property(lambda self: self.data.shape, doc="The tuple of axis lengths.")
    ndim = property(lambda self: self.data.ndim, doc="The number of axes.")
    size = property(lambda self: self.data.size, doc="The number of elements.")
    dtype = property(lambda self: self.data.dtype, doc="The NumPy dtype of the values.")
    is_leaf = property(lambda self: self._node is None, doc="True unless an op that tracks gradients made it.")

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return np.asarray(self.data, dtype=dtype)

    def numpy(self):
        """The values as an ndarray (shared, not copied)."""
        return self.data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        """The values as (nested) Python lists of numbers."""
        return self.data.tolist()

    def detach(self):
        """A new Tensor sharing these values, cut from the graph (no grad)."""
        return Tensor._from_op(self.data)

    def requires_grad_(self, flag=True):
        """Turn gradient tracking of this leaf on or off, in place; returns self."""
        if flag and self.data.dtype.kind != "f":
            raise TypeError(f"only floating tensors can require gradients, got dtype {self.dtype}")
        if not flag and self._node is not None:
            raise RuntimeError("requires_grad_(False) works on leaves only; use detach() on an op's result")
        self.requires_grad = bool(flag)
        return self

    def backward(self, gradient=None, retain_graph=False):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``autograd.backward``)."""
        autograd.backward(self, gradient, retain_graph)

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = f", dtype={self.dtype}"
        if self._node is not None:
            extras += f", grad_fn={type(self._node).__name__}"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor({body}{extras})"

    __hash__ = object.__hash__  # == builds a bool Tensor, so hash by identity

    def __bool__(self):
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError(f"only one-element integer tensors can be used as an index, got {self.dtype} {self.shape}")
        return int(self.data.item())

    def __setitem__(self, index, value):
        if self.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError(
                "cannot assign into a tensor that requires grad; use `with mg.no_grad():` or assign into `.data`"
            )
        self.data[ops.plain_index(index)] = as_array(value)

    # --- arithmetic operators: Tensor, Python scalar or ndarray on either side ----------
    def __add__(self, other):
        return ops.add(self, other)

    def __radd__(self, other):
        return ops.add(other, self)

    def __sub__(self, other):
        return ops.sub(self, other)

    def __rsub__(self, other):
        return ops.sub(other, self)

    def __mul__(self, other):
        return ops.mul(self, other)

    def __rmul__(self, other):
        return ops.mul(other, self)

    def __truediv__(self, other):
        return ops.div(self, other)

    def __rtruediv__(self, other):
        return ops.div(other, self)

    def __pow__(self, other):
        return ops.pow(self, other)

    def __rpow__(self, other):
        return ops.pow(other, self)

    def __matmul__(self, other):
        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        return ops.matmul(other, self)

    def __neg__(self):
        return ops.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.abs(self)

    def __getitem__(self, index):
        return ops.getitem(self, index)

    # --- comparisons and logic: bool Tensors, never differentiable ------------------------
    def __lt__(self, other):
        return ops.less(self, other)

    def __le__(self, other):
        return ops.less_equal(self, other)

    def __gt__(self, other):
        return ops.greater(self, other)

    def __ge__(self, other):
        return ops.greater_equal(self, other)

    def __eq__(self, other):
        return ops.equal(self, other)

    def __ne__(self, other):
        return ops.not_equal(self, other)

    def __and__(self, other):
        return ops.logical_and(self, other)

    def __or__(self, other):
        return ops.logical_or(self, other)

    def __invert__(self):
        return ops.logical_not(self)

    # --- methods: the same ops as the mg.* functions ---------------------------------
    def exp(self):
        return ops.exp(self)

    def log(self):
        return ops.log(self)

    def sqrt(self):
        return ops.sqrt(self)

    def abs(self):
        return ops.abs(self)

    def tanh(self):
        return ops.tanh(self)

    def sigmoid(self):
        return ops.sigmoid(self)

    def relu(self):
        return ops.relu(self)

    def clip(self, lo=None, hi=None):
        return ops.clip(self, lo, hi)

    def sum(self, axis=None, keepdims=False):
        return ops.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        return ops.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        return ops.max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        return ops.min(self, axis, keepdims)

    def argmax(self, axis=None, keepdims=False):
        return ops.argmax(self, axis, keepdims)

    def argmin(self, axis=None, keepdims=False):
        return ops.argmin(self, axis, keepdims)

    def logsumexp(self, axis=None, keepdims=False):
        return ops.logsumexp(self, axis, keepdims)

    def softmax(self, axis=-1):
        return ops.softmax(self, axis)

    def log_softmax(self, axis=-1):
        return ops.log_softmax(self, axis)

    def reshape(self, *shape):
        return ops.reshape(self, *shape)

    def transpose(self, *axes):
        return ops.transpose(self, *axes)

    def swapaxes(self, axis1, axis2):
        return ops.swapaxes(self, axis1, axis2)

    def flatten(self):
        return ops.flatten(self)

    def expand_dims(self, axis):
        return ops.expand_dims(self, axis)

    def squeeze(self, axis=None):
        return ops.squeeze(self, axis)

    def astype(self, dtype):
        return ops.astype(self, dtype)

    T = property(lambda self: ops.transpose(self), doc="The tensor with its axes reversed.")


def tensor(data, requires_grad=False, dtype=None):
    """Make a Tensor: the same as ``Tensor(data, requires_grad, dtype)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


from . import autograd, ops  # noqa: E402  (they need Tensor defined first)
