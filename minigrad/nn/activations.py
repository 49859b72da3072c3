"""Activation layers: each module calls its function in ``nn.functional`` with the arguments it was made with."""

from ..ops.axes import accepts_dim
from . import functional as F
from .module import Module


class GELU(Module):
    """x·Φ(x), Φ the standard normal CDF; ``approximate="tanh"`` uses PyTorch's tanh formula."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class LeakyReLU(Module):
    """x where x > 0, else negative_slope·x."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x where x > 0, else alpha·(e^x - 1)."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class SELU(Module):
    """scale·elu(x, alpha) with SELU's fixed constants."""

    def forward(self, x):
        return F.selu(x)


class SiLU(Module):
    """x·σ(x) (swish)."""

    def forward(self, x):
        return F.silu(x)


class Softplus(Module):
    """log(1 + e^(βx))/β, linear where βx > threshold."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Mish(Module):
    """x·tanh(softplus(x))."""

    def forward(self, x):
        return F.mish(x)


class Hardtanh(Module):
    """x clipped to [min_val, max_val]."""

    def __init__(self, min_val=-1.0, max_val=1.0):
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh needs min_val <= max_val, got min_val={min_val} > max_val={max_val}")
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Module):
    """min(max(x, 0), 6)."""

    def forward(self, x):
        return F.relu6(x)


class Hardsigmoid(Module):
    """relu6(x + 3)/6."""

    def forward(self, x):
        return F.hardsigmoid(x)


class Hardswish(Module):
    """x·relu6(x + 3)/6."""

    def forward(self, x):
        return F.hardswish(x)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, x):
        return F.softsign(x)


class LogSigmoid(Module):
    """log σ(x), stable for any x."""

    def forward(self, x):
        return F.logsigmoid(x)


class Softmin(Module):
    """softmax(-x) along ``axis`` (PyTorch's ``dim=`` works too)."""

    @accepts_dim
    def __init__(self, axis=-1):
        super().__init__()
        self.axis = axis

    def forward(self, x):
        return F.softmin(x, axis=self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"
