"""Competing-risks Poisson model of the panel: a fast penalised GLM (MAP) and the PyMC fit (NUTS).

Per transition t (war->deal, war->ceasefire, war->frozen) and panel month i of conflict c:

    log h_t(i) = alpha_t[age band, intensity] + sum_k gamma[k, t] e_k(i) + beta_t . uncovered(i) + u[c, t]

with one month of exposure per row. ``uncovered`` flags the months a cell's source does not cover
(mediation after 2011). PyMC: ``gamma[k, t] = m[k] + s * z[k, t]``, ``m[k] ~ N(0, s_m)``, half-normal
``s_m``, ``s``; outcome cells (comprehensive agreements) get their own N(0, 2) outside the hierarchy
so that they do not widen it; ``u[c, t] = sigma_t * w[c]`` (non-centred; one frailty per conflict,
loaded per transition, which keeps the sampler's trees short). The MAP GLM has no random effect
and independent priors (alpha N(-5, 3), gamma N(0, 1), outcome gamma N(0, 2), beta N(0, 1)); it is
exact (Newton steps with the analytic gradient and Hessian) and gives the half-life profile and the
per-origin backtest fits, with a Laplace covariance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from forecast.calibration.events import CELLS
from forecast.calibration.panel import N_BANDS, TRANSITIONS, Panel

HALF_LIVES: tuple[float, ...] = (1.0, 2.0, 3.0, 6.0, 12.0, 24.0)
N_BASE = N_BANDS * 2
ALPHA_PRIOR = (-5.0, 3.0)
GAMMA_SD = 1.0
OUTCOME_SD = 2.0
OUTCOME = np.array([c.outcome for c in CELLS])


def uncovered_columns(years: tuple[int, int]) -> list[int]:
    """Cells whose source stops (or starts) inside the panel years: each gets an indicator column."""
    return [j for j, c in enumerate(CELLS) if c.first_year > years[0] or c.last_year < years[1]]


def design(panel: Panel, half_life: float, with_events: bool = True) -> np.ndarray:
    """[one-hot baseline cell | e_k | uncovered indicators]: rows x parameters."""
    base = np.zeros((len(panel.rows), N_BASE))
    base[np.arange(len(panel.rows)), panel.base_cell] = 1.0
    parts = [base]
    if with_events:
        parts.append(panel.e(half_life))
    parts.append(panel.uncovered[:, uncovered_columns(panel.years)])
    return np.hstack(parts)


def prior(years: tuple[int, int], with_events: bool) -> tuple[np.ndarray, np.ndarray]:
    """Prior means and sds of one transition's parameters, in :func:`design` order."""
    mean = [np.full(N_BASE, ALPHA_PRIOR[0])]
    sd = [np.full(N_BASE, ALPHA_PRIOR[1])]
    if with_events:
        mean.append(np.zeros(len(CELLS)))
        sd.append(np.where(OUTCOME, OUTCOME_SD, GAMMA_SD))
    n_unc = len(uncovered_columns(years))
    mean.append(np.zeros(n_unc))
    sd.append(np.ones(n_unc))
    return np.concatenate(mean), np.concatenate(sd)


@dataclass(frozen=True)
class MapFit:
    """Penalised Poisson MAP per transition, with its Laplace covariance and the log-likelihood at the mode."""

    half_life: float
    with_events: bool
    theta: np.ndarray  # transitions x parameters
    cov: np.ndarray  # transitions x parameters x parameters
    log_lik: float

    @property
    def gamma(self) -> np.ndarray:
        """cells x transitions (zeros without events)."""
        if not self.with_events:
            return np.zeros((len(CELLS), len(TRANSITIONS)))
        return self.theta[:, N_BASE : N_BASE + len(CELLS)].T

    @property
    def gamma_sd(self) -> np.ndarray:
        if not self.with_events:
            return np.zeros((len(CELLS), len(TRANSITIONS)))
        idx = np.arange(N_BASE, N_BASE + len(CELLS))
        return np.sqrt(np.stack([np.diag(c)[idx] for c in self.cov])).T

    def log_hazard(self, x: np.ndarray) -> np.ndarray:
        """rows x transitions: log monthly hazards for design rows ``x``."""
        return x @ self.theta.T


def _fit_one(x: np.ndarray, y: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    prec = 1.0 / sd**2

    def f(theta: np.ndarray) -> float:
        eta = x @ theta
        return float(-(y @ eta - np.exp(eta).sum()) + 0.5 * (prec * (theta - mean) ** 2).sum())

    def grad(theta: np.ndarray) -> np.ndarray:
        return -(x.T @ (y - np.exp(x @ theta))) + prec * (theta - mean)

    def hess(theta: np.ndarray) -> np.ndarray:
        mu = np.exp(x @ theta)
        return (x.T * mu) @ x + np.diag(prec)

    start = mean.copy()
    start[:N_BASE] = np.log(max(y.sum(), 0.5) / len(y))
    res = optimize.minimize(f, start, jac=grad, hess=hess, method="trust-exact", options={"gtol": 1e-8})
    return res.x, np.linalg.inv(hess(res.x))


def fit_map(panel: Panel, half_life: float, with_events: bool = True) -> MapFit:
    """The exact penalised GLM at one half-life (each transition separately: no shared parameters)."""
    x = design(panel, half_life, with_events)
    mean, sd = prior(panel.years, with_events)
    thetas, covs, ll = [], [], 0.0
    for j in range(len(TRANSITIONS)):
        theta, cov = _fit_one(x, panel.y[:, j], mean, sd)
        eta = x @ theta
        ll += float(panel.y[:, j] @ eta - np.exp(eta).sum())
        thetas.append(theta)
        covs.append(cov)
    return MapFit(half_life, with_events, np.array(thetas), np.array(covs), ll)


def profile(panel: Panel, half_lives: Sequence[float] = HALF_LIVES) -> tuple[float, list[tuple[float, float]]]:
    """Log-likelihood at the MAP of each half-life (months); the best one and the whole profile."""
    rows = [(float(h), fit_map(panel, h).log_lik) for h in half_lives]
    best = max(rows, key=lambda r: r[1])[0]
    return best, rows


@dataclass(frozen=True)
class NutsFit:
    """Posterior draws of gamma (draws x cells x transitions) and the sampler's diagnostics."""

    gamma: np.ndarray
    diagnostics: dict[str, float]
    settings: dict[str, object]


def fit_nuts(
    panel: Panel,
    half_life: float,
    draws: int = 500,
    tune: int = 500,
    chains: int = 2,
    seed: int = 0,
    target_accept: float = 0.9,
    progress: Callable[[str], None] | None = None,
) -> NutsFit:
    """The hierarchical model in PyMC, NUTS, non-centred; R-hat, bulk/tail ESS and divergences reported."""
    import arviz as az
    import pymc as pm

    say = progress or (lambda _m: None)
    e = panel.e(half_life)
    unc = panel.uncovered[:, uncovered_columns(panel.years)]
    codes, conflict = np.unique(panel.rows["conflict_id"].to_numpy(), return_inverse=True)
    base = panel.base_cell
    hier = np.flatnonzero(~OUTCOME)
    outc = np.flatnonzero(OUTCOME)
    n_t = len(TRANSITIONS)
    with pm.Model():
        alpha = pm.Normal("alpha", ALPHA_PRIOR[0], ALPHA_PRIOR[1], shape=(N_BASE, n_t))
        s_m = pm.HalfNormal("s_m", 1.0)
        s = pm.HalfNormal("s", 0.5)
        m = pm.Normal("m_raw", 0.0, 1.0, shape=len(hier)) * s_m
        z = pm.Normal("z", 0.0, 1.0, shape=(len(hier), n_t))
        g_h = m[:, None] + s * z
        g_o = pm.Normal("gamma_outcome", 0.0, OUTCOME_SD, shape=(len(outc), n_t))
        gamma = pm.Deterministic(
            "gamma", pm.math.concatenate([g_h, g_o], axis=0)[np.argsort(np.concatenate([hier, outc]))]
        )
        beta = pm.Normal("beta", 0.0, 1.0, shape=(unc.shape[1], n_t))
        sigma = pm.HalfNormal("sigma_u", 1.0, shape=n_t)
        w = pm.Normal("w", 0.0, 1.0, shape=len(codes))
        eta = alpha[base] + pm.math.dot(e, gamma) + pm.math.dot(unc, beta) + w[conflict][:, None] * sigma[None, :]
        pm.Poisson("y", mu=pm.math.exp(eta), observed=panel.y)
        say(f"NUTS: {chains} chains x ({tune} tune + {draws} draws), {len(panel.rows)} months, {len(codes)} conflicts")
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            cores=1,
            random_seed=seed,
            target_accept=target_accept,
            max_treedepth=8,
            progressbar=False,
            compute_convergence_checks=False,
        )
    names = ["alpha", "m_raw", "z", "gamma_outcome", "beta", "s_m", "s", "sigma_u", "w"]
    names = [n for n in names if n in idata.posterior and idata.posterior[n].size > 0]
    summ = az.summary(idata, var_names=names, kind="diagnostics")
    diagnostics = {
        "rhat_max": float(summ["r_hat"].max()),
        "ess_bulk_min": float(summ["ess_bulk"].min()),
        "ess_tail_min": float(summ["ess_tail"].min()),
        "divergences": int(idata.sample_stats["diverging"].sum()),
    }
    g = idata.posterior["gamma"].to_numpy()
    gamma_draws = g.reshape(-1, *g.shape[2:])
    settings = {
        "sampler": "pymc.NUTS",
        "draws": draws,
        "tune": tune,
        "chains": chains,
        "seed": seed,
        "target_accept": target_accept,
    }
    say(f"NUTS done: R-hat max {diagnostics['rhat_max']:.3f}, divergences {diagnostics['divergences']}")
    return NutsFit(gamma_draws, diagnostics, settings)
