"""The driver catalogue and the link priors, read from ``drivers.yaml``.

Every driver is a mean-reverting weekly walk (a discretised Ornstein-Uhlenbeck process toward the
reference-class level 0): ``x(t+1) = rho x(t) + s sqrt(1 - rho^2) eps`` with ``rho`` from the stated
half-life and ``s`` the stationary sd. Without new readings what was learned decays toward the
typical level at the half-life and the uncertainty grows back to the stationary sd.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from forecast.states import TRANSITIONS, transition_label

CATALOGUE_PATH = Path(__file__).with_name("drivers.yaml")


@dataclass(frozen=True)
class Driver:
    """One latent driver: what it measures, its memory (half-life) and its stationary-sd prior."""

    id: str
    description: str
    units: str
    half_life_weeks: float
    sd_median: float = 1.0
    sd_log_sd: float = 0.3
    rationale: str = ""

    @property
    def rho(self) -> float:
        """Weekly autocorrelation: an old level's pull halves every ``half_life_weeks``."""
        return float(0.5 ** (1.0 / self.half_life_weeks))


@dataclass(frozen=True, eq=False)
class Links:
    """Normal priors of the link coefficients beta (transition x driver) on the log hazards."""

    transitions: tuple[tuple[str, str], ...]
    drivers: tuple[str, ...]
    mean: np.ndarray
    sd: np.ndarray


def _read(path: Path) -> dict:
    with open(path) as handle:
        return yaml.safe_load(handle)


def load_drivers(path: Path = CATALOGUE_PATH) -> tuple[Driver, ...]:
    """The driver catalogue in file order."""
    return tuple(Driver(**{k: v for k, v in entry.items()}) for entry in _read(path)["drivers"])


def links_from_table(
    table: list[dict],
    drivers: tuple[str, ...],
    transitions: tuple[tuple[str, str], ...] = TRANSITIONS,
    default_sd: float = 0.05,
) -> Links:
    """Link priors from a list of ``{transition, driver, mean, sd}`` rows; absent pairs get (0, default_sd)."""
    labels = [transition_label(t) for t in transitions]
    mean = np.zeros((len(transitions), len(drivers)))
    sd = np.full((len(transitions), len(drivers)), float(default_sd))
    for row in table:
        i, d = labels.index(row["transition"]), drivers.index(row["driver"])
        mean[i, d], sd[i, d] = float(row["mean"]), float(row["sd"])
    return Links(transitions=tuple(transitions), drivers=tuple(drivers), mean=mean, sd=sd)


def load_links(path: Path = CATALOGUE_PATH, drivers: tuple[str, ...] | None = None) -> Links:
    """The default link table of ``drivers.yaml``."""
    content = _read(path)
    ids = drivers if drivers is not None else tuple(entry["id"] for entry in content["drivers"])
    return links_from_table(content["links"], ids, default_sd=content.get("default_sd", 0.05))


def ar_matrix(rho: float, weeks: int) -> np.ndarray:
    """A (weeks, weeks) with ``x = s * A @ z`` for standard-normal z: the stationary AR(1) path.

    ``x_0 = s z_0``, ``x_t = rho x_{t-1} + s sqrt(1 - rho^2) z_t`` unrolled, so the sampler works on
    independent z (non-centred) and the path is a fixed linear map of them.
    """
    lag = np.arange(weeks)[:, None] - np.arange(weeks)[None, :]
    a = np.where(lag >= 0, rho ** np.clip(lag, 0, None), 0.0) * np.sqrt(1.0 - rho**2)
    a[:, 0] = rho ** np.arange(weeks)
    return a
