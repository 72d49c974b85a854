"""Bayesian scenario forecaster for the Russia-Ukraine peace process."""

import warnings
from importlib import metadata

# Noise a user cannot act on: ArviZ's refactor notice and PyTensor's missing-BLAS hint (the
# model has no matrix products).
warnings.filterwarnings("ignore", message=".*ArviZ is undergoing a major refactor.*", category=FutureWarning)
warnings.filterwarnings("ignore", message=".*PyTensor could not link to a BLAS.*", category=UserWarning)

__version__ = metadata.version("forecast")  # one version number: pyproject.toml's
