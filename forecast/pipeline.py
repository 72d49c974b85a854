"""One forecast run: inputs -> posterior -> ``<out>/<as_of>/`` and a history row, all or nothing.

Sampling runs unlocked. Everything after it holds ``<out>/.forecast.lock``, so runs in parallel
neither interleave their outputs nor race on the history: outputs are written into a hidden
staging folder ``<out>/.<as_of>.<random>``, the briefing is rendered there from the history,
the folder is moved into place with one rename, and only then is the row written. A failed or
killed run leaves earlier outputs and the history as they were; what a run killed inside the
locked part leaves behind (a staging folder, a half-swapped ``--force`` replacement, a folder
without its row) is put right by the next run, under the lock (:func:`recover`), and is hidden
from listings meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

import arviz as az
from filelock import FileLock

from forecast.model.design import EvidenceArrays, build_arrays
from forecast.store.history import LOCK_NAME, HistoryStore, Record, reconcile
from forecast.model.inference import SAMPLER_NAME, Forecaster, SamplerSettings
from forecast.inputs.load import (
    LocatedItem,
    default_kinds_path,
    evidence_files,
    load_evidence,
    load_kinds,
    load_question,
    question_path,
    split_by_date,
)
from forecast.inputs.schema import Kind, Question
from forecast.results.posterior import INTERVAL, diagnostics, evidence_impacts, evidence_items, outcome_forecasts

SCHEMA_VERSION = 1


class RunExists(Exception):
    """This as-of date has a run folder or a history row, and ``force`` was not given."""


@dataclass(frozen=True)
class RunConfig:
    as_of: date
    priors: Path = Path("priors")
    evidence: Path = Path("evidence")
    out: Path = Path("reports")
    seed: int | None = None
    settings: SamplerSettings = field(default_factory=SamplerSettings)
    kinds: Path | None = None
    force: bool = False
    briefing: bool = True

    @property
    def run_seed(self) -> int:
        """The given seed, or one derived from the as-of date so weekly runs reproduce."""
        return self.seed if self.seed is not None else int(self.as_of.strftime("%Y%m%d"))

    @property
    def run_dir(self) -> Path:
        return self.out / self.as_of.isoformat()


@dataclass(frozen=True)
class Inputs:
    """Everything a run reads, validated."""

    question: Question
    kinds: dict[str, Kind]
    used: list[LocatedItem]
    later: list[LocatedItem]
    arrays: EvidenceArrays
    hashes: dict[str, str]


def load_inputs(config: RunConfig) -> Inputs:
    """Load and validate the question, catalogue and evidence for ``config.as_of``."""
    question = load_question(config.priors)
    kinds_path = config.kinds or default_kinds_path()
    kinds = load_kinds(kinds_path, question.outcome_ids)
    used, later = split_by_date(load_evidence(config.evidence, question, kinds), config.as_of)
    arrays = build_arrays(question, kinds, [i.item for i in used], config.as_of)
    return Inputs(question, kinds, used, later, arrays, input_hashes(config, kinds_path))


def input_hashes(config: RunConfig, kinds_path: Path) -> dict[str, str]:
    """SHA-256 of every input file, keyed by a stable label (not the machine's absolute path)."""
    files = {f"priors/{question_path(config.priors).name}": question_path(config.priors), "kinds.yaml": kinds_path}
    root = config.evidence if config.evidence.is_dir() else config.evidence.parent
    for path in evidence_files(config.evidence):
        files[f"evidence/{path.relative_to(root).as_posix()}"] = path
    return {label: hashlib.sha256(path.read_bytes()).hexdigest() for label, path in sorted(files.items())}


def versions() -> dict[str, str]:
    names = ["forecast", "pymc", "pytensor", "arviz", "numpy", "scipy", "pandas"]
    return {"python": platform.python_version(), **{name: metadata.version(name) for name in names}}


def run_id(as_of: date, hashes: dict[str, str], seed: int, settings: SamplerSettings) -> str:
    digest = hashlib.sha256(json.dumps([hashes, seed, settings.__dict__], sort_keys=True).encode()).hexdigest()
    return f"{as_of.isoformat()}-{digest[:8]}"


def build_summary(config: RunConfig, inputs: Inputs, idata: az.InferenceData) -> dict:
    """The ``summary.json`` document (see README, "Reading summary.json")."""
    checks = diagnostics(idata)
    settings = config.settings
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id(config.as_of, inputs.hashes, config.run_seed, settings),
        "as_of": config.as_of.isoformat(),
        "horizon": inputs.question.horizon.isoformat(),
        "question": inputs.question.model_dump(mode="json"),
        "interval": INTERVAL,
        "outcomes": outcome_forecasts(idata),
        "diagnostics": {
            "rhat_max": checks.rhat_max,
            "ess_bulk_min": checks.ess_bulk_min,
            "divergences": checks.divergences,
            "warnings": checks.warnings,
            "sampler": SAMPLER_NAME,
            "chains": settings.chains,
            "draws": settings.draws,
            "tune": settings.tune,
            "seed": config.run_seed,
            "log_marginal_likelihood": dict(
                zip(inputs.arrays.outcomes, map(float, idata.mixture["log_marginal_likelihood"].values))
            ),
        },
        "evidence": evidence_impacts(idata),
        "evidence_items": evidence_items(inputs.used, inputs.arrays.weight, config.evidence),
        "excluded_after_as_of": [i.item.id for i in inputs.later],
    }


def build_manifest(config: RunConfig, inputs: Inputs, command: str) -> dict:
    return {
        "as_of": config.as_of.isoformat(),
        "seed": config.run_seed,
        "command": command,
        "inputs": inputs.hashes,
        "versions": versions(),
        "sampler": {"chains": config.settings.chains, "draws": config.settings.draws, "tune": config.settings.tune},
    }


def write_json(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def existing_run(config: RunConfig, question_id: str) -> str | None:
    """Why ``config`` would replace an earlier run (its folder or history row exists), or None."""
    if config.run_dir.exists():
        return f"{config.run_dir} exists"
    store = HistoryStore.beside(config.out)
    if store.get(question_id, config.as_of.isoformat()) is not None:
        return f"{config.as_of} is recorded in {store.path}"
    return None


def write_run(config: RunConfig, summary: dict, manifest: dict, idata: az.InferenceData) -> Path:
    """Under the lock: stage every output, render the briefing, move into place, record the row."""
    config.out.mkdir(parents=True, exist_ok=True)
    store = HistoryStore.beside(config.out)
    record = Record.from_run(summary, manifest)
    with FileLock(config.out / LOCK_NAME):
        recover(config.out, store)
        reason = None if config.force else existing_run(config, record.question_id)
        if reason:  # another process got there while this one sampled
            raise RunExists(f"{reason}; pass --force to replace it")
        staging = Path(tempfile.mkdtemp(prefix=f".{config.as_of.isoformat()}.", dir=config.out))
        staging.chmod(0o755)
        try:
            write_json(staging / "summary.json", summary)
            write_json(staging / "manifest.json", manifest)
            idata.to_netcdf(str(staging / "posterior.nc"))
            if config.briefing:
                from forecast.report import render_briefing

                render_briefing(staging, history=store.summaries(record.question_id))
            _replace_dir(staging, config.run_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        store.record(record, replace=config.force)
    return config.run_dir


_STAGING = re.compile(r"^\.(\d{4}-\d{2}-\d{2})\.(\w+)$")


def recover(out: Path, store: HistoryStore) -> None:
    """Put right what a run killed while holding the lock left behind; call holding the lock.

    Staging folders ``.<date>.<random>`` are deleted; an earlier run swapped out by ``--force``
    (``.<date>.old``) goes back when its replacement never arrived; run folders without their
    history row are recorded (:func:`forecast.store.history.reconcile`).
    """
    for path in sorted(out.iterdir()):
        match = _STAGING.match(path.name)
        if not (match and path.is_dir()):
            continue
        target = out / match.group(1)
        if match.group(2) == "old" and not target.exists():
            path.rename(target)
        else:
            shutil.rmtree(path, ignore_errors=True)
    reconcile(out, store)


def _replace_dir(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing target is swapped out, then removed."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)


def run_forecast(
    config: RunConfig,
    command: str = "forecast run",
    forecaster: Forecaster | None = None,
    on_condition: Callable[[str], None] | None = None,
    inputs: Inputs | None = None,
) -> tuple[Path, dict]:
    """Run the forecast for ``config``, write its folder and history row; returns (run folder, summary).

    ``forecaster``: a compiled model to reuse, and ``inputs``: the inputs already loaded for
    ``config`` (a backfill passes both, so each week is loaded and compiled once).
    """
    inputs = inputs or load_inputs(config)
    reason = None if config.force else existing_run(config, inputs.question.id)
    if reason:
        raise RunExists(f"{reason}; pass --force to replace it")
    forecaster = forecaster or Forecaster(inputs.question, inputs.arrays, config.settings)
    idata = forecaster.fit(inputs.arrays, config.run_seed, on_condition)
    summary = build_summary(config, inputs, idata)
    manifest = build_manifest(config, inputs, command)
    return write_run(config, summary, manifest, idata), summary
