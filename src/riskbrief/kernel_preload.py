"""What the kernel server (:mod:`riskbrief.kernels`) imports before it forks kernels: the
third-party libraries every section notebook imports, in the state a new kernel would import
them in. Nothing of riskbrief's own: kernels import that fresh, so edits are seen."""

import os

# ipykernel sets this before a notebook's first cell; Matplotlib reads it when imported
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

import ipykernel.ipkernel
import ipykernel.kernelapp  # noqa: F401
import IPython  # noqa: F401
import matplotlib  # noqa: F401
import numpy  # noqa: F401
import pandas  # noqa: F401
import scipy.stats  # noqa: F401
import seaborn  # noqa: F401
import yaml  # noqa: F401
