"""What one run reads: its configuration, and its inputs validated and resolved for the as-of date.

``load_inputs`` turns a :class:`RunConfig` into :class:`Inputs` (question, catalogues, reference
hazards, the evidence split at the as-of date, the measured weights and the input hashes); the
pipeline, the sensitivity block and a what-if all build the model from ``Inputs.spec``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from forecast.calibration.weights import EvidenceWeights, load_weights
from forecast.errors import InputError
from forecast.inputs.load import (
    LocatedItem,
    default_kinds_path,
    evidence_files,
    fit_group,
    latest_question,
    load_evidence,
    load_kinds,
    load_portfolio_benchmarks,
    located_questions,
    pick_question,
    question_path,
    reference_dir,
    split_by_date,
)
from forecast.inputs.schema import MAX_ABS_SIGNAL, Benchmark, Kind, Question
from forecast.model.drivers import Driver, links_from_table, load_drivers
from forecast.model.measured import MeasuredEffects, MeasuredItem, cell_key, effects_from_rows, no_effects
from forecast.model.readings import Item
from forecast.model.settings import SamplerSettings
from forecast.model.spec import Spec, question_spec
from forecast.reference.fit import HazardTable, fit_reference, rebased
from forecast.results.summary import (
    StateRecord,
)
from forecast.states import TRANSITION_LABELS


@dataclass(frozen=True)
class RunConfig:
    as_of: date
    priors: Path = Path("priors")
    evidence: Path = Path("evidence")
    out: Path = Path("reports")
    benchmarks: Path = Path("benchmarks")
    seed: int | None = None
    settings: SamplerSettings = field(default_factory=SamplerSettings)
    kinds: Path | None = None
    question: str | None = None  # the id of one question of the priors folder (None: its only one)
    force: bool = False
    briefing: bool = True
    sensitivity: bool = True  # the sensitivity block and the signposts (a few seconds of a run)

    @property
    def run_seed(self) -> int:
        """The given seed, or one derived from the as-of date so weekly runs reproduce."""
        return self.seed if self.seed is not None else int(self.as_of.strftime("%Y%m%d"))


@dataclass(frozen=True)
class Inputs:
    """Everything a run reads, validated and resolved for its as-of date."""

    question: Question
    kinds: dict[str, Kind]
    drivers: tuple[Driver, ...]
    hazards: HazardTable
    used: list[LocatedItem]  # reported on or before the as-of date
    later: list[LocatedItem]  # reported after it: left out
    items: list[Item]  # the used readings, as the model takes them
    state: StateRecord
    hashes: dict[str, str]
    benchmarks: list[Benchmark] = field(default_factory=list)  # all on file; a run shows those seen by its date
    measured: list[MeasuredItem] = field(default_factory=list)  # the used items of the measured kinds
    weights: EvidenceWeights | None = None  # the measured table (None: a model of drivers only)
    effects: MeasuredEffects = field(default_factory=lambda: no_effects(TRANSITION_LABELS))
    sharing: dict[str, date] = field(default_factory=dict)  # id -> horizon of the questions sharing this fit

    @property
    def grid_end(self) -> date:
        """The last horizon of the questions sharing the fit: one grid, so one posterior, for all of them."""
        return max((*self.sharing.values(), self.question.horizon))

    @property
    def earlier(self) -> dict[str, date]:
        """The questions sharing the fit whose horizon comes before this one's: its curve has a point on each."""
        return {
            qid: day for qid, day in sorted(self.sharing.items(), key=lambda kv: kv[1]) if day < self.question.horizon
        }

    def spec(
        self,
        hazards: HazardTable | None = None,
        links: list[dict] | None = None,
        drivers: tuple[Driver, ...] | None = None,
        effects: MeasuredEffects | None = None,
    ) -> Spec:
        """The model of the question (fixed over its span: one compile serves every as-of date).

        ``hazards``, ``links`` (rows ``{transition, driver, mean, sd}``), ``drivers`` and the measured
        ``effects`` replace the question's own for the alternatives of the sensitivity block. Link
        means are bounded so that no judgement moves a hazard more than the strongest measured kind.
        """
        rows = (hazards or self.hazards).rows
        drivers = drivers or self.drivers
        log_mu = {r.transition: r.log_mu_used for r in rows}
        log_sd = {r.transition: r.log_sd_used for r in rows}
        table = links if links is not None else [link.model_dump() for link in self.question.links.table]
        table = bounded_links(table, self.effects.strongest())
        beta = links_from_table(table, tuple(d.id for d in drivers), default_sd=self.question.links.default_sd)
        measured = effects if effects is not None else self.effects
        return question_spec(self.question.start, self.grid_end, log_mu, log_sd, beta, drivers, measured)

    def multipliers(self, reference_class: str) -> dict[str, float]:
        """The measured event multiplier of each war exit in a class (none without weights)."""
        return {} if self.weights is None else dict(self.weights.baseline_multiplier.get(reference_class, {}))


def bounded_links(table: list[dict], strongest: float) -> list[dict]:
    """Link rows with ``|mean| <= strongest / MAX_ABS_SIGNAL``: a driver pinned at the end of its scale
    (+-3) then moves a hazard by at most the strongest measured log hazard ratio. Without measured
    kinds (``strongest`` 0) the table is left as it is."""
    if strongest <= 0:
        return table
    cap = strongest / MAX_ABS_SIGNAL
    return [{**row, "mean": float(np.clip(row["mean"], -cap, cap))} for row in table]


def check_as_of(priors: Path, question: Question, as_of: date) -> None:
    """An as-of date must lie in the question's span: ``start`` <= as-of < ``horizon``."""
    if not question.start <= as_of < question.horizon:
        raise InputError(
            question_path(priors, question.id),
            None,
            "start",
            f"as-of date {as_of} is outside the question's span {question.start} .. {question.horizon}"
            " (a run's as-of date is on or after `start` and before the horizon)",
        )


def load_inputs(config: RunConfig) -> Inputs:
    """Load and validate the question, catalogues, reference data and evidence for ``config.as_of``."""
    found = located_questions(config.priors)
    _, question = pick_question(found, config.priors, config.question)
    check_as_of(config.priors, question, config.as_of)
    questions = [q for _, q in found]
    group = fit_group(questions, question)
    kinds_path = config.kinds or default_kinds_path()
    kinds = load_kinds(kinds_path)
    # evidence may be dated up to the group's last horizon
    used, later = split_by_date(load_evidence(config.evidence, latest_question(group), kinds), config.as_of)
    weights = load_weights(reference_dir(config.priors))
    hazards = fit_reference(question.reference, config.as_of, reference_dir(config.priors))
    hazards = rebased(hazards, dict(weights.baseline_multiplier.get(question.reference.class_, {})))
    readings, measured = model_items(used, kinds)
    return Inputs(
        question,
        kinds,
        load_drivers(),
        hazards,
        used,
        later,
        readings,
        current_state(used, config.as_of),
        input_hashes(config, kinds_path, [p for p, q in found if q.id in {g.id for g in group}]),
        benchmarks=[b for b in load_portfolio_benchmarks(config.benchmarks, questions) if b.question_id == question.id],
        measured=measured,
        weights=weights,
        effects=question_effects(weights, kinds, question.reference.mismatch),
        sharing={q.id: q.horizon for q in group},
    )


def question_effects(weights: EvidenceWeights, kinds: dict[str, Kind], mismatch: float) -> MeasuredEffects:
    """The measured kinds' hazard ratios for every cell of the catalogue, widened by the question's mismatch."""
    cells = [(name, attributes) for name, kind in kinds.items() for attributes in kind.cells()]
    rows = [row.model_dump() for row in weights.rows if not row.outcome]
    return effects_from_rows(rows, cells, TRANSITION_LABELS, weights.half_life_weeks, mismatch)


def model_items(used: list[LocatedItem], kinds: dict[str, Kind]) -> tuple[list[Item], list[MeasuredItem]]:
    """What the model takes of the items: the readings (resolved against their kinds) and the items of
    the measured kinds, each with the cell (kind and attributes) that selects its ratio. State changes
    are neither."""
    readings, measured = [], []
    for located in used:
        item, kind = located.item, kinds[located.item.kind]
        reading = item.reading(kind)
        attributes = item.measured_attributes(kind)
        if reading is not None:
            readings.append(
                Item(
                    item.id,
                    item.date,
                    item.reported,
                    reading.driver,
                    reading.signal,
                    reading.sd,
                    reading.reliability,
                    item.cluster,
                )
            )
        elif attributes is not None:
            cell = cell_key(item.kind, attributes)
            measured.append(MeasuredItem(item.id, item.date, item.reported, cell, item.reliability, item.cluster))
    return readings, measured


def current_state(used: list[LocatedItem], as_of: date) -> StateRecord:
    """The state on the as-of date: the latest recorded transition on or before it, else war."""
    changes = sorted((i.item for i in used if i.item.is_transition and i.item.date <= as_of), key=lambda i: i.date)
    if not changes:
        return StateRecord(state="war")
    last = changes[-1]
    return StateRecord(state=str(last.state), since=last.date, item=last.id)


def input_hashes(config: RunConfig, kinds_path: Path, question_files: list[Path]) -> dict[str, str]:
    """SHA-256 of every input file, keyed by a stable label (not the machine's absolute path).

    ``question_files``: the files of the questions sharing the fit, whose horizons set the grid."""
    reference = reference_dir(config.priors)
    files = {f"priors/{path.name}": path for path in question_files}
    files["kinds.yaml"] = kinds_path
    tables = sorted([*reference.glob("*.csv"), *reference.glob("*.json")])
    files.update({f"priors/reference/{p.name}": p for p in tables})
    root = config.evidence if config.evidence.is_dir() else config.evidence.parent
    for path in evidence_files(config.evidence):
        files[f"evidence/{path.relative_to(root).as_posix()}"] = path
    files.update(benchmark_files(config.benchmarks))
    return {label: hashlib.sha256(path.read_bytes()).hexdigest() for label, path in sorted(files.items())}


def benchmark_files(root: Path) -> dict[str, Path]:
    """The benchmark files by label (``benchmarks/<relative path>``): they are inputs of the summary."""
    if not root.exists():
        return {}
    base = root if root.is_dir() else root.parent
    return {f"benchmarks/{path.relative_to(base).as_posix()}": path for path in evidence_files(root)}


def run_id(as_of: date, hashes: dict[str, str], seed: int, settings: SamplerSettings) -> str:
    digest = hashlib.sha256(json.dumps([hashes, seed, asdict(settings)], sort_keys=True).encode()).hexdigest()
    return f"{as_of.isoformat()}-{digest[:8]}"
