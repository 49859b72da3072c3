"""Op-table cases for the convolution Functions: Conv, ConvTransposeInput, ConvWeightGrad (small shapes)."""

import minigrad.nn.functional as F
from minigrad.ops.conv import ConvTransposeInput, ConvWeightGrad, conv_geometry

from . import normal


def _geometry(x_shape, w_shape, **kw):
    return conv_geometry(
        "conv2d",
        2,
        x_shape,
        w_shape,
        kw.get("stride", 1),
        kw.get("padding", 0),
        kw.get("dilation", 1),
        kw.get("groups", 1),
    )


# x (1, 4, 5, 4), w (4, 2, 2, 3): stride 2 that does not divide, padding, dilation and two groups at once
STRIDED = {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2), "groups": 2}
GEOMETRY = _geometry((1, 4, 5, 4), (4, 2, 2, 3), **STRIDED)
OUT_SHAPE = (1, 4, 3, 4)  # (5 + 2 - 2) // 2 + 1, (4 + 4 - 5) // 1 + 1

CASES = {
    "Conv": [
        (lambda x, w, b: F.conv2d(x, w, b, **STRIDED), (normal(1, 4, 5, 4), normal(4, 2, 2, 3), normal(4))),
        (lambda x, w: F.conv2d(x, w, padding="same"), (normal(2, 2, 3, 3), normal(3, 2, 2, 2))),
        (lambda x, w: F.conv2d(x, w), (normal(3, 4, 4), normal(2, 3, 3, 2))),  # unbatched
        (lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1), (normal(2, 3, 6), normal(2, 3, 3), normal(2))),
        (lambda x, w: F.conv1d(x, w, padding="same", dilation=2, groups=3), (normal(3, 5), normal(3, 1, 2))),
    ],
    "ConvTransposeInput": [
        (lambda g, w: ConvTransposeInput(GEOMETRY, (5, 4))(g, w), (normal(*OUT_SHAPE), normal(4, 2, 2, 3))),
    ],
    "ConvWeightGrad": [
        (lambda x, g: ConvWeightGrad(GEOMETRY, (2, 3))(x, g), (normal(1, 4, 5, 4), normal(*OUT_SHAPE))),
    ],
}
