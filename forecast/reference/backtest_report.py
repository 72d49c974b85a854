"""The backtest's documents: ``backtest.json`` and ``backtest.html`` (charts inline), and the verdict in words.

Kept apart from the rolling-origin loop (:mod:`forecast.reference.backtest`) so the scoring can be
imported without matplotlib.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from forecast.reference.backtest import CLIP, BacktestResult  # noqa: E402


def _svg(fig: Figure) -> str:
    """A matplotlib figure as inline SVG text."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return re.sub(r"<metadata>.*?</metadata>", "", text[text.index("<svg") :], flags=re.DOTALL)


def verdict(result: BacktestResult) -> str:
    """A plain paragraph on whether the model beats the climatological baseline, and by how much."""
    parts = []
    for name, label in (
        ("all", "all forecasts"),
        ("war", "episodes at war"),
        ("war_age_4plus", "wars aged 4+ completed years"),
        ("post_ending", "post-ending states"),
    ):
        t = result.totals[name]
        db = t["brier_baseline"] - t["brier"]
        dl = t["log_score"] - t["log_score_baseline"]
        better = "beats" if db > 0 and dl > 0 else ("loses to" if db < 0 and dl < 0 else "is mixed against")
        parts.append(
            f"For {label} (n={t['n']}) the model {better} the baseline: Brier {t['brier']:.4f} vs "
            f"{t['brier_baseline']:.4f} ({db:+.4f}), log score {t['log_score']:.4f} vs "
            f"{t['log_score_baseline']:.4f} ({dl:+.4f})."
        )
    parts.append(
        "In post-ending states the model gives the two unrecordable transitions (ceasefire->deal, frozen->deal) "
        "an assumed hazard of about 0.05/yr; the data can never show them, so each such forecast pays about "
        "-log(0.95) = 0.05 in log score: that is the whole of the post-ending deficit."
    )
    return " ".join(parts)


def html_report(result: BacktestResult, extra_html: str = "") -> str:
    """Self-contained HTML: per-origin chart, reliability diagram, tables; no external URLs."""
    origins = pd.DataFrame(result.by_origin)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    axes[0].plot(origins["origin"], origins["brier"], label="model")
    axes[0].plot(origins["origin"], origins["brier_baseline"], label="baseline", linestyle="--")
    axes[0].set_title("Brier by origin (lower is better)")
    axes[1].plot(origins["origin"], origins["log_score"], label="model")
    axes[1].plot(origins["origin"], origins["log_score_baseline"], label="baseline", linestyle="--")
    axes[1].set_title("Log score by origin (higher is better)")
    for ax in axes:
        ax.legend()
        ax.set_xlabel("origin year")
    per_origin = _svg(fig)
    plt.close(fig)
    rel = pd.DataFrame(result.reliability)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
    ax.scatter(rel["predicted"], rel["observed"], s=10 + 40 * np.log10(rel["count"]))
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.set_title("Reliability (all states, model)")
    reliability = _svg(fig)
    plt.close(fig)

    def table(rows: Sequence[Mapping[str, object]]) -> str:
        return pd.DataFrame(rows).to_html(index=False, float_format=lambda x: f"{x:.4f}", border=0)

    totals = [{"group": k, **v} for k, v in result.totals.items()]
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Reference-class backtest</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{padding:2px 8px;text-align:right}}</style></head><body>
<h1>Reference-class hazards: rolling-origin backtest</h1>
<p>One-year state forecasts (war, ceasefire, frozen, deal) for every episode at war or in a post-ending state,
origins {result.settings["first_origin"]}-{result.settings["last_origin"]}, each fitted only on data known at its
origin. Model: four-state process with war-exit hazards by episode age band (Gamma posteriors, expm of the
generator). Baseline: pooled one-year shares per start state known at the origin, ignoring age.
Probabilities clipped at {CLIP:g} for the log score.</p>
<p><strong>{verdict(result)}</strong></p>
<h2>Totals</h2>{table(totals)}
<h2>Wars by age band</h2>{table(result.by_age)}
<h2>By start state</h2>{table(result.by_start_state)}
<h2>Per origin</h2>{per_origin}
<h2>Reliability</h2>{reliability}{table(result.reliability)}
{extra_html}
</body></html>
"""


def write_backtest(
    result: BacktestResult, out_dir: Path, evidence: dict[str, object] | None = None, evidence_html: str = ""
) -> tuple[Path, Path]:
    """Write backtest.json and backtest.html into ``out_dir`` (with the evidence-model block if given)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "backtest.json"
    html_path = out_dir / "backtest.html"
    document = result.to_dict()
    if evidence is not None:
        document["evidence"] = evidence
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    html_path.write_text(html_report(result, evidence_html))
    return json_path, html_path
