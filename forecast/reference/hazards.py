"""Events over exposure per transition, Gamma posteriors, log-normal summaries and age bands."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from forecast.reference.classes import ReferenceFilters
from forecast.reference.data import episode_years
from forecast.states import TRANSITIONS, transition_label

ENDED_STATES: tuple[str, ...] = ("ceasefire", "frozen", "deal")
# Jeffreys prior for a Poisson rate, p(h) ~ h^-1/2: Gamma(0.5, 0). Proper posterior once there is
# any exposure, mean 0.5/T when there are no events, and it adds almost nothing when there are.
PRIOR_SHAPE = 0.5
PRIOR_RATE = 0.0
# The termination data never record an agreement signed after a ceasefire or a frozen conflict
# without new fighting, so these two cannot be counted. An assumed Gamma(1, 20): mean 0.05/yr
# (one pseudo-event in 20 years), log-sd 1.28, i.e. "rare but plausible, an order of magnitude unsure".
UNOBSERVED: dict[tuple[str, str], tuple[float, float]] = {
    ("ceasefire", "deal"): (1.0, 20.0),
    ("frozen", "deal"): (1.0, 20.0),
}
AGE_BANDS: tuple[tuple[int, float, str], ...] = (
    (0, 1, "year 1"),
    (1, 3, "years 2-3"),
    (3, 7, "years 4-7"),
    (7, np.inf, "years 8+"),
)
INTERVAL = 0.90


@dataclass(frozen=True)
class Count:
    """Events and exposure (years at risk) of one transition."""

    events: int
    exposure: float


@dataclass(frozen=True)
class HazardRow:
    """One transition's posterior, as plain data."""

    transition: str
    source: str
    target: str
    observed: bool
    events: int | None
    exposure: float | None
    shape: float
    rate: float
    mean: float
    median: float
    low: float
    high: float
    log_mu: float
    log_sd: float
    log_sd_used: float
    log_mu_used: float  # log_mu - log(mismatch)^2 / 2: the mismatch widens the spread, not the mean hazard

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class AgeBandRow:
    """Hazard of one war exit in one age band (duration dependence)."""

    transition: str
    band: str
    events: int
    exposure: float
    mean: float
    low: float
    high: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def war_years(episodes: pd.DataFrame, filters: ReferenceFilters, ignore_age: bool = False) -> pd.DataFrame:
    """Episode-years at risk in war under the filters (left-truncated at min age / first war year)."""
    rows = episode_years(episodes)
    keep = pd.Series(True, index=rows.index)
    if filters.interstate_only:
        keep &= rows["interstate"]
    if filters.war_intensity_only:
        first_war = rows["first_war_year"].astype("Float64")
        keep &= (rows["year"] >= first_war).fillna(False).astype(bool)
    if not ignore_age:
        keep &= rows["age"] >= filters.min_age_years
    return rows[keep]


def war_exit_counts(rows: pd.DataFrame) -> dict[str, Count]:
    """Events per war exit (and to 'other', a censored competing risk) over the war-years given."""
    exposure = float(len(rows))
    ended = rows.loc[rows["ends_here"], "end_state"]
    out = {transition_label(("war", t)): Count(int((ended == t).sum()), exposure) for t in ENDED_STATES}
    out["war->other"] = Count(int((ended == "other").sum()), exposure)
    return out


def ended_episodes(episodes: pd.DataFrame, filters: ReferenceFilters) -> pd.DataFrame:
    """Episodes that ended in ceasefire/frozen/deal and belong to the class (age = duration at the end)."""
    ended = episodes[episodes["end_state"].isin(ENDED_STATES)]
    keep = pd.Series(True, index=ended.index)
    if filters.interstate_only:
        keep &= ended["interstate"]
    if filters.war_intensity_only:
        keep &= ended["first_war_year"].notna()
    keep &= (ended["end_year"] - ended["start_year"]) >= filters.min_age_years
    return ended[keep]


def recurrence_counts(episodes: pd.DataFrame, filters: ReferenceFilters, last_year: int) -> dict[str, Count]:
    """Returns to war after each ending: exposure from the ending to the next episode, else to ``last_year``."""
    ended = ended_episodes(episodes, filters)
    recurred = ended["next_start_year"].notna()
    stop = ended["next_start_year"].astype("Float64").fillna(float(last_year))
    exposure = (stop - ended["end_year"]).astype(float)
    out: dict[str, Count] = {}
    for state in ENDED_STATES:
        mask = ended["end_state"] == state
        out[transition_label((state, "war"))] = Count(int((recurred & mask).sum()), float(exposure[mask].sum()))
    return out


def gamma_posterior(
    events: float, exposure: float, a: float = PRIOR_SHAPE, b: float = PRIOR_RATE
) -> tuple[float, float]:
    """Gamma(events + a, exposure + b): shape and rate."""
    return events + a, exposure + b


def gamma_interval(shape: float, rate: float, level: float = INTERVAL) -> tuple[float, float]:
    """Central interval of a Gamma(shape, rate) from scipy."""
    tail = (1.0 - level) / 2.0
    low, high = stats.gamma.ppf([tail, 1.0 - tail], shape, scale=1.0 / rate)
    return float(low), float(high)


def log_moments(shape: float, rate: float) -> tuple[float, float]:
    """Exact mean and sd of log h under Gamma(shape, rate): the moment-matched log-normal."""
    return float(special.digamma(shape) - np.log(rate)), float(np.sqrt(special.polygamma(1, shape)))


def widened_sd(sd: float, mismatch: float) -> float:
    """sqrt(sd^2 + log(mismatch)^2): the question may differ from the class by ~mismatch, however big the class."""
    return float(np.sqrt(sd**2 + np.log(mismatch) ** 2))


def hazard_row(source: str, target: str, count: Count | None, mismatch: float = 1.0) -> HazardRow:
    """Posterior summary of one transition; ``count`` None means unobservable (assumed prior)."""
    if count is None:
        shape, rate = UNOBSERVED[(source, target)]
    else:
        shape, rate = gamma_posterior(count.events, count.exposure)
    low, high = gamma_interval(shape, rate)
    mu, sd = log_moments(shape, rate)
    return HazardRow(
        transition=transition_label((source, target)),
        source=source,
        target=target,
        observed=count is not None,
        events=None if count is None else count.events,
        exposure=None if count is None else count.exposure,
        shape=shape,
        rate=rate,
        mean=shape / rate,
        median=float(stats.gamma.median(shape, scale=1.0 / rate)),
        low=low,
        high=high,
        log_mu=mu,
        log_sd=sd,
        log_sd_used=widened_sd(sd, mismatch),
        log_mu_used=mu - 0.5 * np.log(mismatch) ** 2,
    )


def transition_counts(episodes: pd.DataFrame, filters: ReferenceFilters, last_year: int) -> dict[str, Count]:
    """Counts for every observable transition, plus the censored war->other exits."""
    return {**war_exit_counts(war_years(episodes, filters)), **recurrence_counts(episodes, filters, last_year)}


def with_fallback(counts: dict[str, Count], fallback: dict[str, Count]) -> tuple[dict[str, Count], list[str]]:
    """Counts with every zero-exposure transition borrowed from a broader class (and the names borrowed).

    A transition with no years at risk has no data at all, and Gamma(0.5, 0) is improper there.
    """
    borrowed = [k for k, c in counts.items() if c.exposure <= 0]
    return {k: (fallback[k] if k in borrowed else c) for k, c in counts.items()}, borrowed


def hazard_rows(counts: dict[str, Count], mismatch: float = 1.0) -> list[HazardRow]:
    """One row per transition of the four-state process, in ``TRANSITIONS`` order."""
    return [
        hazard_row(s, t, None if (s, t) in UNOBSERVED else counts[transition_label((s, t))], mismatch)
        for s, t in TRANSITIONS
    ]


def age_band(age: int) -> str:
    """Label of the band holding an age (completed years)."""
    for low, high, label in AGE_BANDS:
        if low <= age < high:
            return label
    raise ValueError(f"negative age {age}")


def age_band_rows(rows: pd.DataFrame) -> list[AgeBandRow]:
    """War-exit hazards by age band, each transition and all three together ('war->any')."""
    out: list[AgeBandRow] = []
    bands = rows["age"].map(age_band)
    for _, _, label in AGE_BANDS:
        counts = war_exit_counts(rows[bands == label])
        counts["war->any"] = Count(
            sum(counts[transition_label(("war", t))].events for t in ENDED_STATES), counts["war->deal"].exposure
        )
        for name in (*(transition_label(("war", t)) for t in ENDED_STATES), "war->any", "war->other"):
            c = counts[name]
            shape, rate = gamma_posterior(c.events, c.exposure)
            low, high = gamma_interval(shape, rate) if c.exposure > 0 else (float("nan"), float("nan"))
            mean = shape / rate if c.exposure > 0 else float("nan")
            out.append(AgeBandRow(name, label, c.events, c.exposure, mean, low, high))
    return out


def duration_test(bands: list[AgeBandRow], transition: str = "war->any") -> dict[str, float]:
    """Likelihood-ratio test of one constant Poisson rate against a rate per age band."""
    rows = [b for b in bands if b.transition == transition and b.exposure > 0]
    events = np.array([b.events for b in rows], dtype=float)
    exposure = np.array([b.exposure for b in rows], dtype=float)
    pooled = events.sum() / exposure.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        ll_bands = np.where(events > 0, events * np.log(events / exposure), 0.0).sum() - events.sum()
    ll_pooled = events.sum() * np.log(pooled) - events.sum() if pooled > 0 else 0.0
    statistic = float(2.0 * (ll_bands - ll_pooled))
    df = len(rows) - 1
    return {"statistic": statistic, "df": float(df), "p_value": float(stats.chi2.sf(statistic, df))}


def post_ending_years(ended: pd.DataFrame, last_year: int) -> pd.DataFrame:
    """One row per year at risk of recurrence after an ending: years since the ending (1 = the next year)."""
    stop = ended["next_start_year"].astype("Float64").fillna(float(last_year)).astype(int)
    spans = (stop - ended["end_year"]).clip(lower=0).to_numpy()
    rows = ended.loc[np.repeat(ended.index.to_numpy(), spans)].reset_index(names="episode_index")
    rows["since"] = rows.groupby("episode_index").cumcount() + 1
    rows["recurs_here"] = rows["next_start_year"].notna() & (
        rows["since"] == (stop.loc[rows["episode_index"]].to_numpy() - rows["end_year"])
    )
    return rows


def recurrence_band_rows(episodes: pd.DataFrame, filters: ReferenceFilters, last_year: int) -> list[AgeBandRow]:
    """Return-to-war hazards by years since the ending (bands as for age), each ending type and all."""
    rows = post_ending_years(ended_episodes(episodes, filters), last_year)
    bands = (rows["since"] - 1).map(age_band)
    out: list[AgeBandRow] = []
    for _, _, label in AGE_BANDS:
        in_band = rows[bands == label]
        for state in (*ENDED_STATES, "any"):
            sub = in_band if state == "any" else in_band[in_band["end_state"] == state]
            events, exposure = int(sub["recurs_here"].sum()), float(len(sub))
            shape, rate = gamma_posterior(events, exposure)
            low, high = gamma_interval(shape, rate) if exposure > 0 else (float("nan"), float("nan"))
            out.append(
                AgeBandRow(
                    transition_label((state, "war")),
                    label,
                    events,
                    exposure,
                    shape / rate if exposure else float("nan"),
                    low,
                    high,
                )
            )
    return out
