"""Build ``priors/reference/events.csv`` (and its README) from the event files in ``../shared/data/``.

This script is the ONLY code in the repository that reads ``../shared``: the product (``forecast``)
reads ``priors/reference/`` only. Run it from the repository root:

    PYTHONPATH=. python scripts/derive_events.py [--source ../shared/data] [--out priors/reference]

Rules (also written into ``README-events.md``):

- One row per dated event and conflict: a field listing several UCDP conflict ids gives one row each.
- ``date`` is ISO ``YYYY-MM-DD``; a month- or year-precision source date takes the first day of the
  period, and ``date_prec`` (day / month / year) keeps the precision.
- ``ceasefire_declared``: every ETH/PRIO CF ceasefire with a UCDP conflict id, at ``dec_date``;
  ``side`` unilateral (CF side 1) or bilateral (2 and 3), ``scope`` general (partial 0) or partial (1).
  PA-X ``Cea`` agreements linked to a CF ceasefire (CF ``pax_id``) are that same event and are not added.
  Unlinked PA-X ``Cea`` agreements on conflicts the ACD codes interstate (type 2 in any year), which CF
  never covers, are added as bilateral general declarations. Unlinked ones on civil conflicts are left out:
  CF is the census of civil-war ceasefires for 1989-2020, and whether an unlinked PA-X ceasefire document
  is one of its ceasefires (or a "related" text) cannot be told from the ids.
- ``agreement_signed``: UCDP peace agreements (``pa_type`` 3 process, 2 partial, 1 comprehensive) at
  ``pa_date``; PA-X ``Pre`` (pre_negotiation), ``SubPar`` (partial), ``SubComp`` (comprehensive) at ``Dat``,
  except PA-X rows whose ``UcdpAgr`` is a UCDP ``paid`` (the same agreement, kept once from UCDP). PA-X
  implementation, renewal and other stages are not agreements of a new stage and are left out.
- ``mediation``: CWM mediation cases (``Med_yes.no`` 1) at ``med_begins_iso``, attached to every ACD
  conflict whose ``location`` (split on commas) equals ``acd_location`` and that has an ACD row in the year of
  the mediation, or failing that in the year before. Sides are not matched (names are not standardised):
  where several conflicts are active in one location, the mediation is attached to all of them.
- The dyad termination file is not used: its ceasefire and peace-agreement dates are those of the endings.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data"
OUT = ROOT / "priors" / "reference"
FILES = {
    "ucdp_pa": "ucdp_peace_agreements.csv",
    "cf": "ceasefires_eth_prio.csv",
    "pax": "pax_agreements.csv",
    "cwm": "cwm_mediation.csv",
    "acd": "ucdp_prio_acd.csv",
}
COLUMNS = ["event_id", "dataset", "source_id", "conflict_id", "date", "date_prec", "kind", "side", "scope", "stage"]
PA_STAGE = {1: "comprehensive", 2: "partial", 3: "process"}
PAX_STAGE = {"Pre": "pre_negotiation", "SubPar": "partial", "SubComp": "comprehensive"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def iso(value: str) -> tuple[str, str] | None:
    """Reduced-precision ISO text -> (first day of the period, precision); None when empty."""
    value = (value or "").strip()
    if not value or value in {"none", "unknown"}:
        return None
    parts = value.split("-")
    if len(parts) == 3:
        return value, "day"
    if len(parts) == 2:
        return f"{parts[0]}-{parts[1]}-01", "month"
    if len(parts) == 1 and len(value) == 4:
        return f"{value}-01-01", "year"
    raise ValueError(f"unreadable date {value!r}")


def ids(value: str, sep: str) -> list[int]:
    return [int(v) for v in (value or "").replace(" ", "").split(sep) if v]


def ceasefires(cf: pd.DataFrame) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for r in cf.itertuples(index=False):
        when = iso(str(r.dec_date))
        if when is None:
            continue
        source_id = f"{r.cc}-{r.cf_id}-{r.cf_part}"
        for cid in ids(str(r.ucdp_acd_id), ";"):
            rows.append(
                {
                    "dataset": "cf",
                    "source_id": source_id,
                    "conflict_id": cid,
                    "date": when[0],
                    "date_prec": when[1],
                    "kind": "ceasefire_declared",
                    "side": "unilateral" if int(r.side) == 1 else "bilateral",
                    "scope": "general" if int(r.partial) == 0 else "partial",
                }
            )
    return rows


def pax_rows(pax: pd.DataFrame, cf: pd.DataFrame, paids: set[str], interstate: set[int]) -> list[dict[str, object]]:
    linked = {v for value in cf["pax_id"] for v in (value or "").split(";") if v}
    rows: list[dict[str, object]] = []
    for r in pax.itertuples(index=False):
        if not r.UcdpCon:
            continue
        cid = int(r.UcdpCon)
        base = {"dataset": "pax", "source_id": str(r.AgtId), "conflict_id": cid, "date": r.Dat, "date_prec": "day"}
        if r.Stage in PAX_STAGE and r.UcdpAgr not in paids:
            rows.append({**base, "kind": "agreement_signed", "stage": PAX_STAGE[r.Stage]})
        elif r.Stage == "Cea" and str(r.AgtId) not in linked and cid in interstate:
            rows.append({**base, "kind": "ceasefire_declared", "side": "bilateral", "scope": "general"})
    return rows


def peace_agreements(pa: pd.DataFrame) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for r in pa.itertuples(index=False):
        for cid in ids(str(r.conflict_id), ","):
            rows.append(
                {
                    "dataset": "ucdp_pa",
                    "source_id": str(r.paid),
                    "conflict_id": cid,
                    "date": r.pa_date,
                    "date_prec": "day",
                    "kind": "agreement_signed",
                    "stage": PA_STAGE[int(r.pa_type)],
                }
            )
    return rows


def mediations(cwm: pd.DataFrame, acd: pd.DataFrame) -> list[dict[str, object]]:
    active: dict[tuple[str, int], set[int]] = {}
    for r in acd.itertuples(index=False):
        for loc in str(r.location).split(","):
            active.setdefault((loc.strip(), int(r.year)), set()).add(int(r.conflict_id))
    rows: list[dict[str, object]] = []
    for i, r in enumerate(cwm.itertuples(index=False), start=2):  # source_id = line number in the CSV
        if str(r.med) != "1" or not isinstance(r.med_begins_iso, str) or not isinstance(r.acd_location, str):
            continue
        when = iso(r.med_begins_iso)
        if when is None:
            continue
        year = int(when[0][:4])
        conflicts = active.get((r.acd_location, year)) or active.get((r.acd_location, year - 1)) or set()
        for cid in sorted(conflicts):
            rows.append(
                {
                    "dataset": "cwm",
                    "source_id": f"line{i}",
                    "conflict_id": cid,
                    "date": when[0],
                    "date_prec": when[1],
                    "kind": "mediation",
                }
            )
    return rows


def derive(source: Path) -> pd.DataFrame:
    pa = pd.read_csv(source / FILES["ucdp_pa"], dtype=str, keep_default_na=False)
    cf = pd.read_csv(source / FILES["cf"], dtype=str, keep_default_na=False)
    pax = pd.read_csv(source / FILES["pax"], dtype=str, keep_default_na=False)
    cwm = pd.read_csv(source / FILES["cwm"], dtype={"Med_yes.no": str}).rename(columns={"Med_yes.no": "med"})
    acd = pd.read_csv(source / FILES["acd"], dtype=str, keep_default_na=False)
    interstate = {int(c) for c in acd.loc[acd["type_of_conflict"] == "2", "conflict_id"]}
    rows = ceasefires(cf) + pax_rows(pax, cf, set(pa["paid"]), interstate) + peace_agreements(pa) + mediations(cwm, acd)
    frame = pd.DataFrame(rows).reindex(columns=COLUMNS)
    frame = frame.sort_values(["date", "dataset", "source_id", "conflict_id"], kind="mergesort").reset_index(drop=True)
    frame["event_id"] = frame["dataset"] + ":" + frame["source_id"] + ":" + frame["conflict_id"].astype(str)
    if frame["event_id"].duplicated().any():
        raise ValueError("duplicate event ids")
    return frame


def cell(row: pd.Series) -> str:
    attrs = [f"{k}={row[k]}" for k in ("side", "scope", "stage") if isinstance(row[k], str) and row[k]]
    return row["kind"] + (f" ({', '.join(attrs)})" if attrs else "")


README = """# events.csv: dated diplomatic events per UCDP conflict (derived)

Built by `scripts/derive_events.py` (the only code that reads `../shared/data/`) from the event files
below. One row per dated event and UCDP conflict. The product reads this file, never the sources.

## Source files

| file | sha256 | licence |
|---|---|---|
{sources}

UCDP data: CC BY 4.0 (credit UCDP, name the versions: Peace Agreement Dataset 22.1, ACD 25.1).
No licence was found for the ETH/PRIO ceasefire (CF), PA-X or CWM data: only derived ids, dates
and codes are shipped here (no names, no text). Cite:

- Pettersson, T., Högbladh, S. & Öberg, M. (2019). "Organized violence, 1989-2018 and peace agreements."
  *Journal of Peace Research* 56(4): 589-603. (UCDP Peace Agreement Dataset)
- Clayton, G. et al. (2022/2023). "Introducing the ETH/PRIO Civil Conflict Ceasefire Dataset."
  *Journal of Conflict Resolution* (check the DOI, see the source README).
- Bell, C. & Badanjak, S. (2019). "Introducing PA-X: A new peace agreement database and dataset."
  *Journal of Peace Research* 56(3): 452-466. PA-X Version 6, www.peaceagreements.org.
- DeRouen, K. Jr, Bercovitch, J. & Pospieszna, P. (2011). "Introducing the Civil Wars Mediation (CWM)
  dataset." *Journal of Peace Research* 48(5): 663-672.
- Gleditsch, N. P. et al. (2002), "Armed Conflict 1946-2001: A New Dataset", *JPR* 39(5) (the ACD, used
  for the CWM location join and the interstate flag).

## Columns

- `event_id`: `dataset:source_id:conflict_id`, unique.
- `dataset`: `ucdp_pa`, `cf`, `pax`, `cwm`. `source_id`: UCDP `paid`; CF `cc-cf_id-cf_part`;
  PA-X `AgtId`; CWM `line<N>` (line number in `cwm_mediation.csv`).
- `conflict_id`: UCDP conflict id (`c_epid // 100`).
- `date`: ISO day; month/year-precision dates take the first day of the period. `date_prec`: day/month/year.
- `kind`: `ceasefire_declared`, `agreement_signed`, `mediation`.
- `side` (ceasefires): `unilateral` (CF side 1) or `bilateral` (CF sides 2 and 3: multilateral counts
  as bilateral). `scope` (ceasefires): `general` (CF partial 0) or `partial` (CF partial 1).
- `stage` (agreements): `pre_negotiation` (PA-X Pre), `process` (UCDP pa_type 3), `partial` (UCDP
  pa_type 2, PA-X SubPar), `comprehensive` (UCDP pa_type 1, PA-X SubComp). A comprehensive agreement
  is the ending it codes: the calibration measures it as a covariate and flags it as an outcome, never
  usable as evidence.

## Build rules

{rules}

## Rows

{total} rows. By kind and attributes:

| kind cell | rows | conflicts |
|---|---|---|
{counts}

By dataset: {by_dataset}.

## This file

`events.csv`: {size} bytes, sha256 `{digest}` (checked by `tests/calibration/test_events.py`).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    frame = derive(args.source)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "events.csv"
    frame.to_csv(target, index=False, lineterminator="\n")
    licences = {"ucdp_pa": "CC BY 4.0", "acd": "CC BY 4.0", "cf": "none found", "pax": "none found"}
    licences["cwm"] = "none found"
    sources = "\n".join(
        f"| `../shared/data/{name}` | `{sha256(args.source / name)}` | {licences[key]} |" for key, name in FILES.items()
    )
    cells = frame.assign(cell=frame.apply(cell, axis=1)).groupby("cell")
    counts = "\n".join(f"| {c} | {len(g)} | {g['conflict_id'].nunique()} |" for c, g in cells)
    by_dataset = ", ".join(f"{k} {v}" for k, v in frame["dataset"].value_counts().sort_index().items())
    doc = (__doc__ or "").split("Rules (also written into ``README-events.md``):")[1].strip()
    rules = doc.replace("``", "`")
    text = README.format(
        sources=sources,
        rules=rules,
        total=len(frame),
        counts=counts,
        by_dataset=by_dataset,
        size=target.stat().st_size,
        digest=sha256(target),
    )
    (args.out / "README-events.md").write_text(text)
    print(f"wrote {target} ({len(frame)} rows) and README-events.md")
    print(counts)


if __name__ == "__main__":
    main()
