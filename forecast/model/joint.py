"""The PyMC model of version 2: baseline hazards, link coefficients, latent drivers, readings.

Parameters grow with weeks x drivers (and transitions x drivers), never with readings. Every
parameter is non-centred (standard normals mapped through fixed affine maps), so the prior is an
isotropic Gaussian and NUTS needs few steps when the evidence is sparse. The readings enter through
``pm.Data`` padded to a capacity with a mask, so a new as-of date or new evidence swaps values
without recompiling.

There is no likelihood term for the observed survival of the current state: the state at the as-of
date is conditioned on as known and, by the Markov property, the future depends only on it and on the
hazards. Hence with no readings the posterior is the prior.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from forecast.model.drivers import ar_matrix
from forecast.model.readings import Readings
from forecast.model.spec import Spec

FREE_VARS: tuple[str, ...] = ("log_h0_z", "beta_z", "driver_sd_z", "driver_z")


def capacity_for(n: int, minimum: int = 64) -> int:
    """Padded length for n (distinct) readings: a power of two, so capacities are few and shapes rarely change."""
    return max(minimum, 1 << int(np.ceil(np.log2(max(n, 1)))))


def distinct_rows(readings: Readings) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the distinct readings and how often each occurs: identical readings (same driver,
    week, signal, sd and reliability) have identical likelihood terms, so a count weight is exact."""
    if len(readings) == 0:
        return np.zeros(0, dtype=int), np.zeros(0)
    keys = np.column_stack([readings.driver, readings.week, readings.signal, readings.sd, readings.reliability])
    _, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
    return first, counts.astype(float)


def reading_data(readings: Readings, spec: Spec, capacity: int) -> dict[str, np.ndarray]:
    """Values of the readings' ``pm.Data`` containers: distinct readings with their counts, padded
    with zero-weight dummies to ``capacity``. Constants of the mixture are precomputed per reading."""
    rows, counts = distinct_rows(readings)
    n = len(rows)
    if n > capacity:
        raise ValueError(f"{n} distinct readings exceed the capacity {capacity}")

    def pad(values: np.ndarray, fill: float, dtype: type) -> np.ndarray:
        out = np.full(capacity, fill, dtype=dtype)
        out[:n] = values
        return out

    r, y, sd = readings.reliability[rows], readings.signal[rows], readings.sd[rows]
    half_log_2pi = 0.5 * np.log(2 * np.pi)
    noise = np.log1p(-r) - 0.5 * (y / spec.noise_sd) ** 2 - np.log(spec.noise_sd) - half_log_2pi
    cell = readings.week[rows] * spec.n_drivers + readings.driver[rows]
    return {
        "reading_cell": pad(cell, 0, np.int64),
        "reading_signal": pad(y, 0.0, float),
        "reading_precision": pad(sd**-2.0, 1.0, float),
        "reading_log_norm": pad(np.log(r) - np.log(sd) - half_log_2pi, 0.0, float),
        "reading_noise_logp": pad(noise, 0.0, float),
        "reading_weight": pad(counts, 0.0, float),
    }


def driver_matrices(spec: Spec) -> np.ndarray:
    """(drivers, weeks, weeks) fixed maps from standard normals to unit-sd stationary AR(1) paths."""
    return np.stack([ar_matrix(d.rho, spec.weeks) for d in spec.drivers])


def build_model(spec: Spec, readings: Readings, capacity: int | None = None) -> pm.Model:
    """The joint model; ``capacity`` bounds the readings it can hold without rebuilding."""
    capacity = capacity if capacity is not None else capacity_for(len(readings))
    coords = {
        "transition": list(spec.transition_labels),
        "driver": list(spec.driver_ids),
        "week": np.arange(spec.weeks),
    }
    sd_median = np.array([d.sd_median for d in spec.drivers])
    sd_log_sd = np.array([d.sd_log_sd for d in spec.drivers])
    with pm.Model(coords=coords) as model:
        data = {name: pm.Data(name, value) for name, value in reading_data(readings, spec, capacity).items()}

        log_h0_z = pm.Normal("log_h0_z", 0.0, 1.0, dims="transition")
        pm.Deterministic("log_h0", spec.log_h0_mu + spec.log_h0_sd * log_h0_z, dims="transition")
        beta_z = pm.Normal("beta_z", 0.0, 1.0, dims=("transition", "driver"))
        pm.Deterministic("beta", spec.beta_mean + spec.beta_sd * beta_z, dims=("transition", "driver"))

        # stationary sd of each driver, log-normal around 1 (the units' definition)
        sd_z = pm.Normal("driver_sd_z", 0.0, 1.0, dims="driver")
        driver_sd = pm.Deterministic("driver_sd", pt.exp(np.log(sd_median) + sd_log_sd * sd_z), dims="driver")
        z = pm.Normal("driver_z", 0.0, 1.0, dims=("week", "driver"))
        paths = (pt.as_tensor(driver_matrices(spec)) * z.T[:, None, :]).sum(axis=-1)  # (driver, week)
        x = pm.Deterministic("x", paths.T * driver_sd[None, :], dims=("week", "driver"))

        level = x.flatten()[data["reading_cell"]]  # row-major (week, driver) cells
        residual = data["reading_signal"] - level
        informative = data["reading_log_norm"] - 0.5 * data["reading_precision"] * residual**2
        log_lik = pt.logaddexp(informative, data["reading_noise_logp"])
        pm.Potential("readings", (log_lik * data["reading_weight"]).sum())
    return model
