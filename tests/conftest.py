"""Test-wide setup: one BLAS thread.

The suite multiplies small matrices, where a second OpenBLAS thread only adds
contention (on a busy 2-core machine a 32x64 @ 64x256 product went from 25 µs to
over 1 ms). Set before any test imports NumPy; an explicit setting wins.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
