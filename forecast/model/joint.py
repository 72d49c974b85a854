"""The PyMC model of version 2: baseline hazards, link coefficients, latent drivers, readings.

Parameters grow with weeks x drivers (and transitions x drivers), never with readings. The hazard
and link parameters are non-centred standard normals; the driver paths are sampled in data-whitened
coordinates (:func:`whitening`): exactly the non-centred form with no readings, and rescaled so that a
week pinned by many readings is not a needle for NUTS. The readings enter through ``pm.Data``: up to a
capacity of distinct readings as exact padded rows, beyond it as a per-cell Hermite table, so a new
as-of date or new evidence swaps values without recompiling.

There is no likelihood term for the observed survival of the current state: the state at the as-of
date is conditioned on as known and, by the Markov property, the future depends only on it and on the
hazards. Hence with no readings the posterior is the prior.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from forecast.model.readings import Readings, empty_readings
from forecast.model.spec import Spec

FREE_VARS: tuple[str, ...] = ("log_h0_z", "beta_z", "driver_sd_z", "driver_z", "gamma_z")
"""The sampled variables (``gamma_z`` only when the question has measured kinds)."""


DEFAULT_CAPACITY = 256


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
        out: np.ndarray = np.full(capacity, fill, dtype=dtype)
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


TABLE_LIMIT = 8.0
TABLE_NODES = 513


def table_nodes() -> np.ndarray:
    """Driver levels where per-cell log-likelihoods are tabulated (sd units; beyond is extrapolated)."""
    return np.linspace(-TABLE_LIMIT, TABLE_LIMIT, TABLE_NODES)


def cell_table(readings: Readings, spec: Spec, noise_sd: float) -> dict[str, np.ndarray]:
    """Per (week, driver) cell: the summed mixture log-likelihood and its derivative at the table nodes.

    Used when there are more distinct readings than the capacity: the model then interpolates each
    cell's sum with cubic Hermite polynomials (exact values and slopes at the nodes, error ~1e-6 for
    typical streams), so the cost of a gradient grows with cells (weeks x drivers), not readings.
    """
    cells = spec.weeks * spec.n_drivers
    values, slopes = np.zeros((cells, TABLE_NODES)), np.zeros((cells, TABLE_NODES))
    if len(readings) == 0:
        return {"table_value": values, "table_slope": slopes}
    nodes = table_nodes()
    cell = readings.week * spec.n_drivers + readings.driver
    precision = readings.sd**-2.0
    log_norm = np.log(readings.reliability) - np.log(readings.sd) - 0.5 * np.log(2 * np.pi)
    noise = np.log1p(-readings.reliability) - 0.5 * (readings.signal / noise_sd) ** 2 - np.log(noise_sd)
    noise = noise - 0.5 * np.log(2 * np.pi)
    for chunk in np.array_split(np.arange(len(readings)), max(1, len(readings) // 2000)):
        residual = readings.signal[chunk, None] - nodes[None, :]
        informative = log_norm[chunk, None] - 0.5 * precision[chunk, None] * residual**2
        log_lik = np.logaddexp(informative, noise[chunk, None])
        slope = np.exp(informative - log_lik) * precision[chunk, None] * residual
        np.add.at(values, cell[chunk], log_lik)
        np.add.at(slopes, cell[chunk], slope)
    return {"table_value": values, "table_slope": slopes}


def _hermite(x: pt.TensorVariable, values: pt.TensorVariable, slopes: pt.TensorVariable) -> pt.TensorVariable:
    """Cubic Hermite interpolation of each cell's tabulated function at x (cells,), linear beyond the table."""
    nodes = table_nodes()
    step = nodes[1] - nodes[0]
    inside = pt.clip(x, nodes[0], nodes[-1])
    u = (inside - nodes[0]) / step
    index = pt.clip(pt.floor(u), 0, TABLE_NODES - 2).astype("int64")
    t = u - index
    flat = pt.arange(x.shape[0]) * TABLE_NODES + index
    v0, v1 = values.flatten()[flat], values.flatten()[flat + 1]
    d0, d1 = slopes.flatten()[flat] * step, slopes.flatten()[flat + 1] * step
    t2, t3 = t**2, t**3
    value = (2 * t3 - 3 * t2 + 1) * v0 + (t3 - 2 * t2 + t) * d0 + (-2 * t3 + 3 * t2) * v1 + (t3 - t2) * d1
    slope = ((6 * t2 - 6 * t) * v0 + (3 * t2 - 4 * t + 1) * d0 + (-6 * t2 + 6 * t) * v1 + (3 * t2 - 2 * t) * d1) / step
    return value + (x - inside) * slope


def prior_precision(rho: float, weeks: int) -> np.ndarray:
    """(weeks, weeks) tridiagonal precision of a unit-sd stationary AR(1) path."""
    diagonal = np.full(weeks, 1.0 + rho**2)
    diagonal[[0, -1]] = 1.0
    return (np.diag(diagonal) - rho * (np.eye(weeks, k=1) + np.eye(weeks, k=-1))) / (1.0 - rho**2)


def whitening(readings: Readings, spec: Spec, drift: float = 1.0) -> dict[str, np.ndarray]:
    """Affine map ``x_d = mean_d + map_d @ z_d`` that makes the drivers' posterior roughly isotropic in z.

    It is the Gaussian posterior of the paths at the drivers' median sd, with each reading treated as
    Gaussian with precision ``r / s^2`` (the mixture's informative part). The model scales the map by
    ``sd / median sd``: with no readings this is exactly the non-centred form ``x = sd * A z`` (z
    standard normal whatever sd); with many readings on a week the pinned direction is shrunk to its
    posterior width, so NUTS needs no tiny steps. Only coordinates change: the density (AR prior, sd
    prior, mixture likelihood, with the exact log-Jacobian) is the model's.
    """
    w, n_d = spec.weeks, spec.n_drivers
    precision = np.zeros((w, n_d))
    shift = np.zeros((w, n_d))
    np.add.at(precision, (readings.week, readings.driver), readings.reliability / readings.sd**2)
    np.add.at(shift, (readings.week, readings.driver), readings.reliability * readings.signal / readings.sd**2)
    mean, maps = np.zeros((w, n_d)), np.zeros((n_d, w, w))
    for d, driver in enumerate(spec.drivers):
        posterior = prior_precision(driver.rho, w) / (drift * driver.sd_median) ** 2 + np.diag(precision[:, d])
        lower = np.linalg.cholesky(posterior)
        maps[d] = np.linalg.inv(lower).T  # cov = lower^-T lower^-1
        mean[:, d] = np.linalg.solve(posterior, shift[:, d])
    return {"driver_mean": mean, "driver_map": maps}


def _ar_logp(x: pt.TensorVariable, rho: np.ndarray, sd: pt.TensorVariable) -> pt.TensorVariable:
    """log density of stationary AR(1) paths x (weeks, drivers) with weekly rho and stationary sd."""
    innovations = (x[1:] - rho * x[:-1]) ** 2 / (1.0 - rho**2)
    quadratic = (x[0] ** 2 + innovations.sum(axis=0)) / sd**2
    return (-0.5 * quadratic - x.shape[0] * pt.log(sd)).sum()


def evidence_data(readings: Readings, spec: Spec, capacity: int, drift: float = 1.0) -> dict[str, np.ndarray]:
    """All data containers for the readings: exact per-reading rows when the distinct readings fit the
    capacity, otherwise the per-cell Hermite table (rows left empty); plus the whitening map and the
    drivers' sd medians scaled by ``drift`` (1: the catalogue's; sensitivity runs halve and double it)."""
    if len(distinct_rows(readings)[0]) <= capacity:
        rows, table = reading_data(readings, spec, capacity), cell_table(empty_readings(), spec, spec.noise_sd)
    else:
        rows, table = reading_data(empty_readings(), spec, capacity), cell_table(readings, spec, spec.noise_sd)
    sd_median = {"driver_sd_median": drift * np.array([d.sd_median for d in spec.drivers])}
    measured = {"measured_presence": readings.presence(spec)} if spec.measured.cells else {}
    return rows | table | whitening(readings, spec, drift) | sd_median | measured


def build_model(spec: Spec, readings: Readings, capacity: int | None = None) -> pm.Model:
    """The joint model; up to ``capacity`` distinct readings enter exactly, more through the per-cell table."""
    capacity = capacity if capacity is not None else DEFAULT_CAPACITY
    coords = {
        "transition": list(spec.transition_labels),
        "driver": list(spec.driver_ids),
        "week": np.arange(spec.weeks),
        "cell": list(spec.measured.cells),
    }
    sd_log_sd = np.array([d.sd_log_sd for d in spec.drivers])
    rho = np.array([d.rho for d in spec.drivers])
    with pm.Model(coords=coords) as model:
        values = evidence_data(readings, spec, capacity)
        data = {name: pm.Data(name, value) for name, value in values.items()}
        sd_median = data["driver_sd_median"]

        log_h0_z = pm.Normal("log_h0_z", 0.0, 1.0, dims="transition")
        pm.Deterministic("log_h0", spec.log_h0_mu + spec.log_h0_sd * log_h0_z, dims="transition")
        beta_z = pm.Normal("beta_z", 0.0, 1.0, dims=("transition", "driver"))
        pm.Deterministic("beta", spec.beta_mean + spec.beta_sd * beta_z, dims=("transition", "driver"))
        if spec.measured.cells:
            # measured log hazard ratios: no likelihood here (history measured them), so the posterior is
            # this prior; the presence of recent events is data, swapped per fit like the readings
            gamma_z = pm.Normal("gamma_z", 0.0, 1.0, dims=("transition", "cell"))
            effects = spec.measured
            pm.Deterministic("gamma", effects.log_mean + effects.log_sd * gamma_z, dims=("transition", "cell"))

        # stationary sd of each driver, log-normal around 1 (the units' definition)
        sd_z = pm.Normal("driver_sd_z", 0.0, 1.0, dims="driver")
        driver_sd = pm.Deterministic("driver_sd", pt.exp(pt.log(sd_median) + sd_log_sd * sd_z), dims="driver")
        # driver paths in whitened coordinates z: x = mean + (sd / median sd) * map @ z. Their AR(1)
        # prior enters as a potential on x plus the log-Jacobian weeks * log(sd) of z -> x given sd.
        z = pm.Flat("driver_z", dims=("week", "driver"))
        paths = pt.matmul(data["driver_map"], z.T[:, :, None])[:, :, 0].T * (driver_sd / sd_median)  # (week, driver)
        x = pm.Deterministic("x", data["driver_mean"] + paths, dims=("week", "driver"))
        log_jacobian = spec.weeks * pt.log(driver_sd).sum()
        pm.Potential("driver_prior", _ar_logp(x, rho, driver_sd) + log_jacobian)

        level = x.flatten()[data["reading_cell"]]  # row-major (week, driver) cells
        residual = data["reading_signal"] - level
        informative = data["reading_log_norm"] - 0.5 * data["reading_precision"] * residual**2
        log_lik = pt.logaddexp(informative, data["reading_noise_logp"])
        pm.Potential("readings", (log_lik * data["reading_weight"]).sum())
        pm.Potential("reading_table", _hermite(x.flatten(), data["table_value"], data["table_slope"]).sum())
    return model
