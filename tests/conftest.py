"""Shared fixtures (plain helpers: tests/helpers.py)."""

from __future__ import annotations

import logging

import pytest


@pytest.fixture(scope="session", autouse=True)
def quiet_pymc() -> None:
    """PyMC's per-run INFO lines drown pytest's output; warnings still show."""
    for name in ("pymc", "pymc.sampling.mcmc", "pymc.stats.convergence", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)
