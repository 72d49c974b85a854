"""Reference-class transition hazards for the four-state process, fitted from UCDP data and backtested."""

from forecast.reference.backtest import BacktestResult, run_backtest, write_backtest
from forecast.reference.classes import REFERENCE_CLASSES, ReferenceFilters
from forecast.reference.fit import HazardTable, fit_reference, no_evidence_curve, no_evidence_probabilities
from forecast.reference.spec import ReferenceSpec

__all__ = [
    "REFERENCE_CLASSES",
    "BacktestResult",
    "HazardTable",
    "ReferenceFilters",
    "ReferenceSpec",
    "fit_reference",
    "no_evidence_curve",
    "no_evidence_probabilities",
    "run_backtest",
    "write_backtest",
]
