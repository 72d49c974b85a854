"""Hazards are events over exposure, counted by hand on a synthetic table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from forecast.reference.classes import ReferenceFilters
from forecast.reference.data import build_episodes, information_at, load_reference_data
from forecast.reference.hazards import (
    age_band_rows,
    duration_test,
    hazard_row,
    hazard_rows,
    recurrence_band_rows,
    transition_counts,
    war_years,
)
from tests.reference.synthetic import synthetic_frames, write_synthetic


@pytest.fixture
def episodes(tmp_path: Path):
    data = information_at(load_reference_data(write_synthetic(tmp_path)), 2100)
    return build_episodes(data), data.last_year


def counts_of(episodes, filters: ReferenceFilters) -> dict[str, tuple[int, float]]:
    eps, last = episodes
    return {k: (c.events, c.exposure) for k, c in transition_counts(eps, filters, last).items()}


def test_all_episodes_by_hand(episodes) -> None:
    # War-years: 101: 3, 102: 2, 201: 3, 301: 2004-2009 = 6 (2010 is the last data year), 401: 1, 402: 2.
    assert counts_of(episodes, ReferenceFilters()) == {
        "war->ceasefire": (1, 17.0),
        "war->frozen": (1, 17.0),
        "war->deal": (2, 17.0),
        "war->other": (1, 17.0),
        "ceasefire->war": (1, 3.0),  # ended 2002, next episode 2005
        "frozen->war": (0, 4.0),  # ended 2006, censored at 2010
        "deal->war": (0, 8.0),  # 201: 2003 -> 2010 = 7, 402: 2009 -> 2010 = 1
    }


def test_filters_by_hand(episodes) -> None:
    aged = counts_of(episodes, ReferenceFilters(min_age_years=1))
    assert aged["war->deal"] == (2, 11.0)
    assert aged["war->ceasefire"] == (1, 11.0)
    interstate = counts_of(episodes, ReferenceFilters(interstate_only=True))
    assert interstate["war->deal"] == (1, 3.0)
    assert interstate["deal->war"] == (0, 7.0)
    war = counts_of(episodes, ReferenceFilters(war_intensity_only=True))
    assert war["war->deal"] == (1, 2.0)  # at risk from its first war year, 2002


def test_rate_is_events_plus_half_over_exposure(episodes) -> None:
    eps, last = episodes
    rows = {r.transition: r for r in hazard_rows(transition_counts(eps, ReferenceFilters(), last))}
    assert rows["war->deal"].mean == pytest.approx(2.5 / 17.0)
    assert rows["ceasefire->war"].mean == pytest.approx(1.5 / 3.0)
    assert rows["frozen->war"].mean == pytest.approx(0.5 / 4.0)
    assert rows["ceasefire->deal"].observed is False and rows["ceasefire->deal"].events is None


def test_active_in_last_year_is_censored(tmp_path: Path) -> None:
    term, acd = synthetic_frames()
    # Even a (wrong) ending code in the last data year must not count: it depends on the next year.
    last = term["year"] == 2010
    term.loc[last, ["c_epterm", "c_outcome"]] = [1, 1]
    data = information_at(load_reference_data(write_synthetic(tmp_path, term, acd)), 2100)
    eps = build_episodes(data)
    active = eps[eps["conflict_id"] == 3].iloc[0]
    assert pd.isna(active["end_state"])
    rows = war_years(eps, ReferenceFilters())
    assert not rows.loc[rows["conflict_id"] == 3, "ends_here"].any()
    assert transition_counts(eps, ReferenceFilters(), data.last_year)["war->deal"].events == 2


def test_gamma_interval_matches_scipy() -> None:
    row = hazard_row("war", "deal", type("C", (), {"events": 7, "exposure": 120.0})())  # type: ignore[arg-type]
    dist = stats.gamma(7.5, scale=1 / 120.0)
    assert (row.low, row.high) == pytest.approx(tuple(dist.ppf([0.05, 0.95])), rel=1e-12)
    assert row.median == pytest.approx(dist.median())
    log_mean = dist.expect(np.log)
    log_var = dist.expect(lambda h: (np.log(h) - log_mean) ** 2)
    assert row.log_mu == pytest.approx(log_mean, rel=1e-6)
    assert row.log_sd == pytest.approx(np.sqrt(log_var), rel=1e-5)


def test_mismatch_widens_log_sd() -> None:
    count = type("C", (), {"events": 7, "exposure": 120.0})()
    plain = hazard_row("war", "deal", count)  # type: ignore[arg-type]
    wide = hazard_row("war", "deal", count, mismatch=2.0)  # type: ignore[arg-type]
    assert plain.log_sd_used == pytest.approx(plain.log_sd)
    assert wide.log_sd_used == pytest.approx(np.sqrt(plain.log_sd**2 + np.log(2.0) ** 2))
    assert wide.log_mu == plain.log_mu
    # a mean-preserving spread: the log-normal's mean exp(mu + sd^2 / 2) is the same with and without it
    assert wide.log_mu_used + wide.log_sd_used**2 / 2 == pytest.approx(plain.log_mu_used + plain.log_sd_used**2 / 2)


def test_age_bands_and_duration_test(episodes) -> None:
    eps, _ = episodes
    bands = {(b.transition, b.band): b for b in age_band_rows(war_years(eps, ReferenceFilters(), ignore_age=True))}
    # Age 0 years: one per episode (6); endings at age 0: 401 (other) only.
    assert (bands[("war->any", "year 1")].events, bands[("war->any", "year 1")].exposure) == (0, 6.0)
    # Ages 1-2: 101 (1, 2), 102 (1), 201 (1, 2), 301 (1, 2), 402 (1): endings 101, 102, 201, 402.
    assert (bands[("war->any", "years 2-3")].events, bands[("war->any", "years 2-3")].exposure) == (4, 8.0)
    # Ages 3-6: 301 only (2007-2009), no ending; nothing at 7+.
    assert (bands[("war->any", "years 4-7")].events, bands[("war->any", "years 4-7")].exposure) == (0, 3.0)
    assert bands[("war->any", "years 8+")].exposure == 0
    result = duration_test(list(bands.values()))
    pooled = 4 / 17.0
    stat = 2 * (4 * np.log(4 / 8.0) - 4 * np.log(pooled))  # Poisson log-likelihoods; the -events terms cancel
    assert result["statistic"] == pytest.approx(stat)
    assert result["df"] == 2
    assert result["p_value"] == pytest.approx(stats.chi2.sf(stat, 2))


def test_recurrence_by_years_since_ending(episodes) -> None:
    eps, last = episodes
    bands = {
        (b.transition, b.band): (b.events, b.exposure) for b in recurrence_band_rows(eps, ReferenceFilters(), last)
    }
    # 101 ceasefire 2002 -> war 2005 (years 1-3 after, recurrence in year 3); 102 frozen 2006, censored 2010
    # (years 1-4); 201 deal 2003, censored (years 1-7); 402 deal 2009, censored (year 1).
    assert bands[("any->war", "year 1")] == (0, 4.0)
    assert bands[("ceasefire->war", "years 2-3")] == (1, 2.0)
    assert bands[("any->war", "years 2-3")] == (1, 6.0)
    assert bands[("deal->war", "years 4-7")] == (0, 4.0)
    assert bands[("any->war", "years 4-7")] == (0, 5.0)
    assert sum(v[1] for k, v in bands.items() if k[0] == "any->war") == 15.0  # = 3 + 4 + 8 from the totals
