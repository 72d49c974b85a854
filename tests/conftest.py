"""Shared fixtures: a small question and one compiled forecaster per session (helpers: tests/helpers.py)."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.inputs.schema import Question
from forecast.model.inference import Forecaster
from tests.helpers import SMALL, make_arrays, make_question


@pytest.fixture(scope="session")
def question() -> Question:
    return make_question()


@pytest.fixture(scope="session")
def forecaster(question: Question) -> Forecaster:
    """Compiled once; tests swap evidence through pm.Data exactly as a backfill does."""
    return Forecaster(question, make_arrays(np.zeros((1, 4))), SMALL)
