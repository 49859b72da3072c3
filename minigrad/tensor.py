"""The Tensor: an ndarray plus what reverse-mode autodiff needs to know about it.

A Tensor holds its values in ``.data`` (a NumPy array), the gradient that
``backward()`` accumulates in ``.grad``, and, when it was produced by an op that
needs a gradient, the graph node ``_node`` that made it (a ``Function`` from
``autograd.py``, which remembers the op's inputs). Tensors made by the user
are leaves: they have no node.

Every method here is a thin door into ``ops``: the maths lives there.
"""

import threading

import numpy as np

# The default float type: Python floats and lists of floats become float32.
DEFAULT_FLOAT = np.dtype(np.float32)
_NUMERIC_KINDS = "biufc"  # bool, signed and unsigned integers, floats, complex


# --- values and dtypes -------------------------------------------------------------------


def to_array(x):
    """The ndarray behind ``x``: a Tensor's ``.data``, anything else through ``np.asarray``.

    The one way to unwrap a value whose gradient is not wanted (a mask, an index, labels).
    """
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def as_float(array):
    """Integer and bool arrays as the default float (float32), like PyTorch's unary maths; floats unchanged."""
    return array if array.dtype.kind in "fc" else array.astype(DEFAULT_FLOAT)


def as_array(data, dtype=None):
    """``data`` (scalar, nested list, ndarray or Tensor) as a numeric ndarray, with minigrad's dtype rules.

    Python floats (and lists of them) become float32; NumPy arrays and scalars keep their
    dtype. Strings, dates and objects are refused with TypeError.
    """
    if isinstance(data, Tensor):
        array = data.data
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
            raise TypeError("a list of Tensors is not one value; use mg.stack or mg.concatenate")
        try:
            array = np.asarray(data)
        except OverflowError:
            raise TypeError(f"{data!r} does not fit in any integer dtype (int64 at most)") from None
        if array.dtype == np.float64 and dtype is None:
            array = array.astype(DEFAULT_FLOAT)  # Python floats -> float32
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    if array.dtype.kind not in _NUMERIC_KINDS:
        if array.dtype == object and isinstance(data, int):
            raise TypeError(f"{data} does not fit in any integer dtype (int64 at most)")
        raise TypeError(f"a Tensor holds numbers (bool, int, float); got {type(data).__name__} of dtype {array.dtype}")
    return array


_PYTHON_NUMBER_KINDS = {bool: "b", int: "i", float: "f", complex: "c"}


def number_kind(value):
    """The dtype kind ("b", "i", "f", "c") of a Python or NumPy number, or None for anything else."""
    kind = _PYTHON_NUMBER_KINDS.get(type(value))  # a type lookup, cheaper than isinstance on the hot path
    if kind is None and isinstance(value, np.generic):
        kind = value.dtype.kind
    return kind


def is_scalar(value):
    """True for a Python or NumPy number (which takes the dtype of the arrays beside it)."""
    return number_kind(value) is not None


def result_dtype(arrays, numbers=()):
    """The dtype of an op on ``arrays`` and Python or NumPy ``numbers``, like PyTorch: a float
    beats an integer, and a number never widens the arrays' dtype."""
    dtype = None
    for array in arrays:
        if dtype is None:
            dtype = array.dtype
        elif array.dtype is not dtype:
            dtype = _promote(dtype, array.dtype)
    for number in numbers:
        dtype = _number_dtype(number, dtype)
    return dtype


def _promote(a, b):
    """The common dtype of two arrays' dtypes: floats win over integers and bools."""
    if (a.kind in "fc") != (b.kind in "fc"):
        return a if a.kind in "fc" else b
    return np.result_type(a, b)


def _number_dtype(number, base):
    """The dtype a number takes next to arrays of dtype ``base`` (None if there are none)."""
    if base is None and isinstance(number, np.generic):
        return number.dtype  # a NumPy number alone keeps its dtype (0-d results of NumPy come as these)
    kind = number_kind(number)
    if kind == "b":
        return base if base is not None else np.dtype(bool)
    if kind == "i":
        return base if base is not None and base.kind != "b" else np.dtype(np.int64)
    if kind == "f":
        return base if base is not None and base.kind in "fc" else DEFAULT_FLOAT
    return np.result_type(base, np.asarray(number).dtype) if base is not None else np.asarray(number).dtype


# Every in-place write in the process, counted: a graph node made after the last write has
# nothing to check at backward if the count has not moved since (the engine's shortcut).
writes_so_far = [0]
_writes_lock = threading.Lock()


# The version counter of every tensor not yet written in place nor sharing its values with
# another tensor: one shared (0,), so that making a tensor allocates no counter. The tensor
# gets a list of its own, [version], the first time it needs one (``_counter_of``).
UNWRITTEN = (0,)


def _counter_of(tensor):
    """``tensor``'s own version counter, a one-element list, made on first need."""
    if tensor._version_counter is UNWRITTEN:
        tensor._version_counter = [0]
    return tensor._version_counter


def bump_version(*tensors):
    """Count one in-place write into each tensor's ``.data`` (an optimizer step, an ``nn.init`` fill)."""
    for tensor in tensors:
        _counter_of(tensor)[0] += 1
    with _writes_lock:
        writes_so_far[0] += 1  # "something was written": one count serves the whole batch


# --- the Tensor ----------------------------------------------------------------------------


class Tensor:
    """An n-dimensional array that can record the ops applied to it and differentiate them.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4., 6.], dtype=float32)
    """

    __slots__ = ("data", "grad", "requires_grad", "_node", "_version_counter", "_hooks", "__weakref__")

    def __init__(self, data, requires_grad=False, dtype=None):
        array = as_array(data, dtype)
        if array is data or (isinstance(data, Tensor) and array is data.data):
            array = array.copy()  # like torch.tensor: a new Tensor owns its values
        self.data = array
        self.grad = None
        self.requires_grad = False
        self._node = None
        self._version_counter = UNWRITTEN
        self._hooks = None
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _from_op(data, node=None):
        """A Tensor around an op's freshly made array; ``node`` is the op if a gradient is wanted."""
        out = object.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data)  # NumPy gives 0-d results as scalars
        out.grad = None
        out.requires_grad = node is not None
        out._node = node
        out._version_counter = UNWRITTEN
        out._hooks = None
        return out

    # --- attributes -------------------------------------------------------------------
    shape = property(lambda self: self.data.shape, doc="The tuple of axis lengths.")
    ndim = property(lambda self: self.data.ndim, doc="The number of axes.")
    size = property(lambda self: self.data.size, doc="The number of elements.")
    dtype = property(lambda self: self.data.dtype, doc="The NumPy dtype of the values.")
    is_leaf = property(lambda self: self._node is None, doc="True unless an op that tracks gradients made it.")
    _version = property(lambda self: self._version_counter[0], doc="How many in-place writes this tensor has seen.")

    def numel(self):
        """The number of elements (the same as ``.size``)."""
        return self.data.size

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        return np.asarray(self.data, dtype=dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return interop.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return interop.array_function(func, args, kwargs)

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
        """A new Tensor sharing these values (and their version counter), cut from the graph."""
        out = Tensor._from_op(self.data)
        out._version_counter = _counter_of(self)
        return out

    def _share_versions_if_view_of(self, base):
        """Count in-place writes together with ``base`` when this tensor's values are a view of its values."""
        if isinstance(base, Tensor) and self.data.base is not None and np.may_share_memory(self.data, base.data):
            self._version_counter = _counter_of(base)

    def requires_grad_(self, flag=True):
        """Turn gradient tracking of this leaf on or off, in place; returns self."""
        if flag and self.data.dtype.kind != "f":
            raise TypeError(f"only floating tensors can require gradients, got dtype {self.dtype}")
        if not flag and self._node is not None:
            raise RuntimeError("requires_grad_(False) works on leaves only; use detach() on an op's result")
        self.requires_grad = bool(flag)
        return self

    # --- backward and hooks -------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=False):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``autograd.backward``)."""
        autograd.backward(self, gradient, retain_graph)

    def register_hook(self, fn):
        """Call ``fn(grad)`` with this tensor's gradient during backward; a non-None result replaces it.

        Returns a handle whose ``.remove()`` takes the hook off.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = {}
        return RemovableHandle.add(self._hooks, fn)

    def retain_grad(self):
        """Keep this (non-leaf) tensor's gradient in ``.grad`` after backward, accumulating like a leaf's."""
        if self._node is None:
            return  # a leaf keeps its gradient anyway
        if not any(getattr(hook, "retains_grad_of", None) is self for hook in (self._hooks or {}).values()):
            self.register_hook(_GradRetainer(self))

    # --- printing ---------------------------------------------------------------------
    def __repr__(self):
        return f"tensor({_format_values(self.data)}{''.join(_repr_extras(self))})"

    def __format__(self, spec):
        if not spec:
            return repr(self)
        if self.data.size != 1:
            raise TypeError(f"format spec {spec!r} needs a one-element tensor; this one has shape {self.shape}")
        return format(self.data.item(), spec)

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

    # --- in-place: write into .data, count a version ---------------------------------------
    def _write(self, write, value, what):
        """Run ``write(self.data, value)`` after the rule every in-place op shares, then count a version."""
        if self.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError(
                f"{what} on a tensor that requires grad would change values the graph may need: "
                "wrap it in `with mg.no_grad():`, or use the out-of-place op (x = x + y)"
            )
        value = value.data if isinstance(value, Tensor) else value
        try:
            write(self.data, value)
        except TypeError as error:  # NumPy's casting error, e.g. a float into an int tensor
            message = f"{what}: cannot write {np.result_type(value)} values into a {self.dtype} tensor"
            raise TypeError(message) from error
        except ValueError as error:  # NumPy's broadcasting error
            message = f"{what}: a value of shape {np.shape(value)} does not fit the tensor's shape {self.shape}"
            raise ValueError(message) from error
        bump_version(self)
        return self

    def _update(self, ufunc, other, what):
        """``self.data = ufunc(self.data, other)`` in place, ``other`` broadcast to this tensor's shape."""
        shape = np.shape(other.data if isinstance(other, Tensor) else other)
        if np.broadcast_shapes(shape, self.shape) != self.shape:
            raise ValueError(f"{what}: a value of shape {shape} does not broadcast to the tensor's shape {self.shape}")
        return self._write(lambda data, v: ufunc(data, v, out=data, casting="same_kind"), other, what)

    def __iadd__(self, other):
        return self._update(np.add, other, "+=")

    def __isub__(self, other):
        return self._update(np.subtract, other, "-=")

    def __imul__(self, other):
        return self._update(np.multiply, other, "*=")

    def __itruediv__(self, other):
        return self._update(np.true_divide, other, "/=")

    def copy_(self, src):
        """Copy ``src``'s values into this tensor (broadcast, cast to this tensor's dtype); returns self."""
        return self._write(lambda data, v: np.copyto(data, v, casting="unsafe"), src, "copy_")

    def fill_(self, value):
        """Set every element to ``value``; returns self."""
        return self._write(lambda data, v: np.copyto(data, v, casting="unsafe"), value, "fill_")

    def zero_(self):
        """Set every element to 0; returns self."""
        return self.fill_(0)

    def __setitem__(self, index, value):
        index = ops.plain_index(index)
        self._write(lambda data, v: data.__setitem__(index, v), value, "t[index] = value")

    # --- conversions: dtype and device ----------------------------------------------------
    def astype(self, dtype):
        """The values as ``dtype``; differentiable between float dtypes."""
        return ops.astype(self, dtype)

    def float(self):
        return ops.astype(self, np.float32)

    def double(self):
        return ops.astype(self, np.float64)

    def long(self):
        return ops.astype(self, np.int64)

    def int(self):
        return ops.astype(self, np.int32)

    def bool(self):
        return ops.astype(self, np.bool_)

    def t(self):
        """The transpose of a 2-D tensor (a 0-d or 1-D one as it is), like PyTorch's ``t()``."""
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with at most 2 dimensions, got shape {self.shape}; use transpose")
        return ops.transpose(self)

    def to(self, target):
        """A dtype (= ``astype``) or the device "cpu" (this tensor itself); any other device raises ValueError."""
        if is_cpu(target):
            return self
        return ops.astype(self, np.dtype(target))

    # fmt: off
    # --- arithmetic operators: Tensor, Python scalar or ndarray on either side ----------
    def __add__(self, other): return ops.add(self, other)
    def __radd__(self, other): return ops.add(other, self)
    def __sub__(self, other): return ops.sub(self, other)
    def __rsub__(self, other): return ops.sub(other, self)
    def __mul__(self, other): return ops.mul(self, other)
    def __rmul__(self, other): return ops.mul(other, self)
    def __truediv__(self, other): return ops.div(self, other)
    def __rtruediv__(self, other): return ops.div(other, self)
    def __pow__(self, other): return ops.pow(self, other)
    def __rpow__(self, other): return ops.pow(other, self)
    def __matmul__(self, other): return ops.matmul(self, other)
    def __rmatmul__(self, other): return ops.matmul(other, self)
    def __mod__(self, other): return ops.remainder(self, other)
    def __rmod__(self, other): return ops.remainder(other, self)
    def __floordiv__(self, other): return ops.floor_divide(self, other)
    def __rfloordiv__(self, other): return ops.floor_divide(other, self)
    def __neg__(self): return ops.neg(self)
    def __pos__(self): return self
    def __abs__(self): return ops.abs(self)
    def __getitem__(self, index): return ops.getitem(self, index)

    # --- comparisons and logic: bool Tensors, never differentiable ------------------------
    def __lt__(self, other): return ops.less(self, other)
    def __le__(self, other): return ops.less_equal(self, other)
    def __gt__(self, other): return ops.greater(self, other)
    def __ge__(self, other): return ops.greater_equal(self, other)
    def __eq__(self, other): return ops.equal(self, other)
    def __ne__(self, other): return ops.not_equal(self, other)
    def __and__(self, other): return ops.logical_and(self, other)
    def __or__(self, other): return ops.logical_or(self, other)
    def __invert__(self): return ops.logical_not(self)
    def lt(self, other): return ops.less(self, other)
    def le(self, other): return ops.less_equal(self, other)
    def gt(self, other): return ops.greater(self, other)
    def ge(self, other): return ops.greater_equal(self, other)
    def eq(self, other): return ops.equal(self, other)
    def ne(self, other): return ops.not_equal(self, other)

    # --- methods: the same ops as the mg.* functions ---------------------------------
    def exp(self): return ops.exp(self)
    def log(self): return ops.log(self)
    def sqrt(self): return ops.sqrt(self)
    def abs(self): return ops.abs(self)
    def tanh(self): return ops.tanh(self)
    def sigmoid(self): return ops.sigmoid(self)
    def relu(self): return ops.relu(self)
    def pow(self, exponent): return ops.pow(self, exponent)
    def clip(self, lo=None, hi=None): return ops.clip(self, lo, hi)
    def clamp(self, min=None, max=None): return ops.clip(self, min, max)  # PyTorch's names
    def sum(self, *args, **kwargs): return ops.sum(self, *args, **kwargs)
    def mean(self, *args, **kwargs): return ops.mean(self, *args, **kwargs)
    def max(self, *args, **kwargs): return ops.max(self, *args, **kwargs)
    def min(self, *args, **kwargs): return ops.min(self, *args, **kwargs)
    def argmax(self, *args, **kwargs): return ops.argmax(self, *args, **kwargs)
    def argmin(self, *args, **kwargs): return ops.argmin(self, *args, **kwargs)
    def logsumexp(self, *args, **kwargs): return ops.logsumexp(self, *args, **kwargs)
    def softmax(self, *args, **kwargs): return ops.softmax(self, *args, **kwargs)
    def log_softmax(self, *args, **kwargs): return ops.log_softmax(self, *args, **kwargs)
    def reshape(self, *shape): return ops.reshape(self, *shape)
    def view(self, *shape): return ops.reshape(self, *shape)
    def view_as(self, other): return ops.reshape(self, other.shape)
    def transpose(self, *axes): return ops.transpose(self, *axes)
    def permute(self, *dims): return ops.transpose(self, *dims)
    def swapaxes(self, axis1, axis2): return ops.swapaxes(self, axis1, axis2)
    def flatten(self, start_dim=0, end_dim=-1): return ops.flatten(self, start_dim, end_dim)
    def expand_dims(self, axis): return ops.expand_dims(self, axis)
    def unsqueeze(self, dim): return ops.expand_dims(self, dim)
    def squeeze(self, *args, **kwargs): return ops.squeeze(self, *args, **kwargs)
    def sin(self): return ops.sin(self)
    def cos(self): return ops.cos(self)
    def tan(self): return ops.tan(self)
    def arcsin(self): return ops.arcsin(self)
    def arccos(self): return ops.arccos(self)
    def arctan(self): return ops.arctan(self)
    def sinh(self): return ops.sinh(self)
    def cosh(self): return ops.cosh(self)
    def arcsinh(self): return ops.arcsinh(self)
    def arccosh(self): return ops.arccosh(self)
    def arctanh(self): return ops.arctanh(self)
    def log2(self): return ops.log2(self)
    def log10(self): return ops.log10(self)
    def log1p(self): return ops.log1p(self)
    def expm1(self): return ops.expm1(self)
    def exp2(self): return ops.exp2(self)
    def square(self): return ops.square(self)
    def reciprocal(self): return ops.reciprocal(self)
    def erf(self): return ops.erf(self)
    def floor(self): return ops.floor(self)
    def ceil(self): return ops.ceil(self)
    def trunc(self): return ops.trunc(self)
    def isnan(self): return ops.isnan(self)
    def isinf(self): return ops.isinf(self)
    def isfinite(self): return ops.isfinite(self)
    def sign(self): return ops.sign(self)
    def var(self, *args, **kwargs): return ops.var(self, *args, **kwargs)
    def std(self, *args, **kwargs): return ops.std(self, *args, **kwargs)
    def prod(self, *args, **kwargs): return ops.prod(self, *args, **kwargs)
    def cumsum(self, *args, **kwargs): return ops.cumsum(self, *args, **kwargs)
    def cumprod(self, *args, **kwargs): return ops.cumprod(self, *args, **kwargs)
    def norm(self, *args, **kwargs): return ops.norm(self, *args, **kwargs)
    def all(self, *args, **kwargs): return ops.all(self, *args, **kwargs)
    def any(self, *args, **kwargs): return ops.any(self, *args, **kwargs)
    def sort(self, *args, **kwargs): return ops.sort(self, *args, **kwargs)
    def argsort(self, *args, **kwargs): return ops.argsort(self, *args, **kwargs)
    def topk(self, *args, **kwargs): return ops.topk(self, *args, **kwargs)
    def flip(self, *args, **kwargs): return ops.flip(self, *args, **kwargs)
    def roll(self, *args, **kwargs): return ops.roll(self, *args, **kwargs)
    def repeat(self, *args, **kwargs): return ops.repeat(self, *args, **kwargs)
    def tile(self, *args, **kwargs): return ops.tile(self, *args, **kwargs)
    def tril(self, *args, **kwargs): return ops.tril(self, *args, **kwargs)
    def triu(self, *args, **kwargs): return ops.triu(self, *args, **kwargs)
    def split(self, *args, **kwargs): return ops.split(self, *args, **kwargs)
    def masked_fill(self, *args, **kwargs): return ops.masked_fill(self, *args, **kwargs)
    def take_along_axis(self, *args, **kwargs): return ops.take_along_axis(self, *args, **kwargs)
    def softmin(self, *args, **kwargs): return ops.softmin(self, *args, **kwargs)
    def logaddexp(self, *args, **kwargs): return ops.logaddexp(self, *args, **kwargs)
    def fmod(self, *args, **kwargs): return ops.fmod(self, *args, **kwargs)
    def remainder(self, *args, **kwargs): return ops.remainder(self, *args, **kwargs)
    def floor_divide(self, *args, **kwargs): return ops.floor_divide(self, *args, **kwargs)
    def round(self, *args, **kwargs): return ops.round(self, *args, **kwargs)
    T = property(lambda self: ops.transpose(self), doc="The tensor with its axes reversed.")
    # fmt: on


class _GradRetainer:
    """The hook behind ``retain_grad``: adds each gradient the tensor receives to its ``.grad``."""

    def __init__(self, tensor):
        self.retains_grad_of = tensor

    def __call__(self, g):
        tensor, g = self.retains_grad_of, to_array(g)
        tensor.grad = g.copy() if tensor.grad is None else tensor.grad + g


def _format_values(data):
    """The values the way PyTorch prints them: 4 decimals, or whole numbers as ``1.``."""
    whole = data.dtype.kind == "f" and data.size and np.all(np.isfinite(data) & (data == np.round(data)))
    mode = "unique" if whole else "fixed"
    return np.array2string(data, separator=", ", prefix="tensor(", precision=4, floatmode=mode, suppress_small=True)


_DEFAULT_DTYPES = (DEFAULT_FLOAT, np.dtype(np.int64), np.dtype(np.bool_))


def _repr_extras(t):
    """What ``repr`` adds after the values: a non-default dtype, then the grad status."""
    if t.dtype not in _DEFAULT_DTYPES:
        yield f", dtype={t.dtype}"
    if t._node is not None:
        yield f", grad_fn=<{t._node.name}>"
    elif t.requires_grad:
        yield ", requires_grad=True"


def tensor(data, requires_grad=False, dtype=None):
    """Make a Tensor: the same as ``Tensor(data, requires_grad, dtype)``."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


class device:
    """``mg.device("cpu")``: minigrad runs on the CPU only, so "cpu" is the one device there is."""

    def __init__(self, name="cpu"):
        if not is_cpu(name):
            raise ValueError(f"minigrad runs on the CPU only; got device {str(name)!r}")
        self.type = "cpu"

    def __repr__(self):
        return "device(type='cpu')"

    def __str__(self):
        return "cpu"


def is_cpu(target):
    """True for the device "cpu" (a string or ``mg.device``); ValueError for any other device; False for a dtype."""
    if isinstance(target, device) or target == "cpu":
        return True
    if isinstance(target, str):
        try:
            np.dtype(target)
        except TypeError:
            raise ValueError(f"minigrad runs on the CPU only; got device {target!r}") from None
    return False


from . import autograd, interop, ops  # noqa: E402  (they need Tensor defined first)
from .hooks import RemovableHandle  # noqa: E402
