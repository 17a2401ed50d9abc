"""Duplicate matcher precision, recall and speed on public complaint records whose truth is known.

Truth: in the NYC CCRB and Chicago COPA records, one complaint (one incident) has several
allegation rows, often against several officers. Each row is loaded as its own allegation,
as if the incident had been reported several times; two rows of the same complaint are a true
duplicate pair, rows of different complaints are not. Rows are recorded one by one in the order
they were received, through `record_allegation`, and after each the production matcher
(`duplicates.suggest_for`) runs against what was recorded before, exactly as the after-commit
hook does; its stored suggestions are then scored pairwise against the truth.

Limits of these labels:
- Rows of one complaint naming the same officer share the subject and the date: easy pairs.
  The recall that matters is on rows naming *different* officers (reported separately below).
- CCRB has no narrative, no place and no command at the time of the incident (only each
  officer's command in 2021): across officers, only the date can match, so that recall is low.
- Chicago's narrative is COPA's one summary per complaint, identical on every row of it: real
  duplicate reports are written by different people and agree less. The text figures are an
  upper bound; the `chicago-no-text` run withholds the narrative to show the other features alone.
- A different complaint about the same incident, or the same officer on the same day, is
  counted false even when an intake specialist would want to see it.

The sample is a run of consecutive complaints (by date) from a seeded random start, not a
scattered draw, so that the density of same-day and same-office complaints stays real.
Suggestions are stored down to a floor below the threshold so that one pass also gives the
figures at other thresholds; the stored set at the configured threshold is unchanged by this
(the per-allegation cap keeps the highest scores either way).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import os
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "research" / "data"
CCRB_DIR = DATA_DIR / "ccrb-mos-records"
CHICAGO_DIR = DATA_DIR / "chicago-cpdp"
SEED = 20260301
CCRB_COMPLAINTS = 3_000
CHICAGO_COMPLAINTS = 1_200
FLOOR = 0.4
SWEEP = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9)
# Floors for a useful assistant: most suggestions must be right (a specialist reads each one),
# and most re-reports of an incident must surface; a suggestion must not slow recording down.
TARGET_PRECISION = 0.8
TARGET_RECALL = 0.6
TARGET_MS_PER_ALLEGATION = 50.0


@dataclass(frozen=True)
class Report:
    """One allegation row, as the intake would record it, with its truth label."""

    complaint: str  # truth: the same complaint is the same incident
    officer: str
    office: str
    received: dt.date
    incident: dt.date
    summary: str
    narrative: str = ""
    place: str = ""


# ---------------------------------------------------------------------------------------------
# Datasets


def _consecutive(complaints: dict[str, list[Report]], count: int, rng: random.Random) -> list[Report]:
    ordered = sorted(complaints, key=lambda c: (complaints[c][0].received, c))
    start = rng.randrange(0, max(1, len(ordered) - count))
    chosen = ordered[start : start + count]
    return [report for c in chosen for report in complaints[c]]


def ccrb_reports(rng: random.Random) -> list[Report]:
    commands: dict[str, str] = {}
    for name in ("2021-03-20_active_officer.csv", "2021-03-20_inactive_officer.csv"):
        with (CCRB_DIR / name).open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                commands[row[0]] = row[1].strip()
    complaints: dict[str, list[Report]] = defaultdict(list)
    undated: set[str] = set()
    for name in ("2021-03-20_active_complaint.csv.gz", "2021-03-20_inactive_complaint.csv.gz"):
        with gzip.open(CCRB_DIR / name, "rt", newline="", encoding="utf-8") as handle:
            for officer, complaint, date, fado, allegation, *_ in csv.reader(handle):
                if not date:
                    undated.add(complaint)
                    continue
                day = dt.date.fromisoformat(date)
                complaints[complaint].append(
                    Report(
                        complaint=complaint,
                        officer=officer,
                        office=commands.get(officer, ""),
                        received=day,  # the files have no received date
                        incident=day,
                        summary=f"{fado}: {allegation}",
                    )
                )
    for complaint in undated:
        complaints.pop(complaint, None)
    return _consecutive(complaints, CCRB_COMPLAINTS, rng)


def chicago_reports(rng: random.Random, *, with_text: bool) -> list[Report]:
    incidents: dict[str, dict[str, str]] = {}
    with gzip.open(
        CHICAGO_DIR / "complaints-complaints-cms_2019-2022_2022-09_p031093.csv.gz", "rt", encoding="utf-8"
    ) as handle:
        for row in csv.DictReader(handle):
            incidents.setdefault(row["cr_id"], row)
    complaints: dict[str, list[Report]] = defaultdict(list)
    person = "complaints-accused-cms_2019-2022_2022-09_p031093_ID"
    with gzip.open(
        CHICAGO_DIR / "complaints-accused-cms_2019-2022_2022-09_p031093.csv.gz", "rt", encoding="utf-8"
    ) as handle:
        for row in csv.DictReader(handle):
            incident = incidents.get(row["cr_id"])
            if incident is None or not incident["incident_date"] or not incident["complaint_date"]:
                continue
            beat = incident["beat"].removesuffix(".0")
            complaints[row["cr_id"]].append(
                Report(
                    complaint=row["cr_id"],
                    officer=row[person],
                    office=row["assigned_unit"].strip(),
                    received=dt.date.fromisoformat(incident["complaint_date"]),
                    incident=dt.date.fromisoformat(incident["incident_date"]),
                    summary=row["allegation_category"] or "Complaint",
                    narrative=incident["final_finding_narrative"] if with_text else "",
                    place=f"Beat {beat}" if beat else "",
                )
            )
    return _consecutive(complaints, CHICAGO_COMPLAINTS, rng)


# ---------------------------------------------------------------------------------------------
# Loading and matching


def _setup_django(var_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "probity.settings"
    os.environ["PROBITY_VAR_DIR"] = var_dir
    os.environ.pop("PROBITY_DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class Outcome:
    reports: list[Report]
    pks: dict[int, int]  # allegation pk -> index in reports
    order: dict[int, int]  # index in reports -> position in the order recorded
    suggested: dict[frozenset[int], float]  # pair of report indexes -> score
    match_seconds: list[float]
    candidates: list[int]


def load_and_match(reports: list[Report]) -> Outcome:
    from django.core.management import call_command

    from probity.core.models import Employee, OrgUnitKind
    from probity.core.services.org import add_org_unit
    from probity.intake import duplicates
    from probity.intake.models import Channel, DuplicateSuggestion
    from probity.intake.services.record import AllegationInput, PersonInput, record_allegation

    call_command("flush", verbosity=0, interactive=False)
    agency = add_org_unit(actor=None, code="BENCH", name="Bench agency", kind=OrgUnitKind.AGENCY)
    offices = {
        code: add_org_unit(
            actor=None, code=f"U-{code}"[:30], name=code, kind=OrgUnitKind.STATION, parent=agency
        ).pk
        for code in sorted({r.office for r in reports if r.office})
    }
    officers = sorted({r.officer for r in reports})
    Employee.objects.bulk_create(
        Employee(employee_number=f"B{officer}"[:20], first_name="Officer", last_name=officer)
        for officer in officers
    )
    employee_ids = dict(Employee.objects.values_list("last_name", "pk"))

    config = replace(duplicates.MatchConfig.from_settings(), threshold=FLOOR)
    order = sorted(range(len(reports)), key=lambda i: (reports[i].received, reports[i].complaint, i))
    pks: dict[int, int] = {}
    seconds: list[float] = []
    block_sizes: list[int] = []
    for index in order:
        report = reports[index]
        with duplicates.suspended():
            allegation = record_allegation(
                actor=None,
                data=AllegationInput(
                    channel=Channel.IMPORT,
                    summary=report.summary[:200],
                    narrative=report.narrative,
                    received_at=dt.datetime.combine(report.received, dt.time(12), tzinfo=dt.UTC),
                    incident_date=report.incident,
                    incident_place=report.place,
                    office_id=offices.get(report.office),
                    people=[PersonInput(role="subject", employee_id=employee_ids[report.officer])],
                ),
            )
        pks[allegation.pk] = index
        started = time.perf_counter()
        duplicates.suggest_for(allegation, config=config)
        seconds.append(time.perf_counter() - started)
        if len(pks) % 25 == 0:  # a sample through the run: counting re-runs the blocking queries
            (profile,) = duplicates.load_profiles([allegation.pk])
            block_sizes.append(len(duplicates._candidate_ids(profile, config)))

    suggested = {
        frozenset((pks[a], pks[c])): score
        for a, c, score in DuplicateSuggestion.objects.values_list("allegation_id", "candidate_id", "score")
    }
    position = {index: n for n, index in enumerate(order)}
    return Outcome(reports, pks, position, suggested, seconds, block_sizes)


# ---------------------------------------------------------------------------------------------
# Scoring against the truth


def _true_pairs(reports: list[Report]) -> tuple[int, int]:
    """(pairs of rows in one complaint, of which rows naming different officers)."""
    by_complaint: dict[str, list[str]] = defaultdict(list)
    for report in reports:
        by_complaint[report.complaint].append(report.officer)
    total = cross = 0
    for officers in by_complaint.values():
        n = len(officers)
        total += n * (n - 1) // 2
        same = sum(k * (k - 1) // 2 for k in Counter(officers).values())
        cross += n * (n - 1) // 2 - same
    return total, cross


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def figures(name: str, outcome: Outcome, threshold: float) -> Iterator[dict[str, Any]]:
    reports = outcome.reports
    true_total, true_cross = _true_pairs(reports)

    def counts(at: float) -> tuple[int, int, int, int]:
        tp = fp = tp_cross = fp_same_officer_day = 0
        for pair, score in outcome.suggested.items():
            if score < at:
                continue
            a, b = (reports[i] for i in pair)
            if a.complaint == b.complaint:
                tp += 1
                tp_cross += a.officer != b.officer
            else:
                fp += 1
                fp_same_officer_day += a.officer == b.officer and a.incident == b.incident
        return tp, fp, tp_cross, fp_same_officer_day

    tp, fp, tp_cross, fp_same_officer_day = counts(threshold)
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, true_total)
    f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    context = {
        "threshold": threshold,
        "allegations": len(reports),
        "complaints": len({r.complaint for r in reports}),
        "true_pairs": true_total,
        "suggested_pairs": tp + fp,
        "true_positives": tp,
        # Probably the same incident filed as two complaints: counted false, but worth showing.
        "false_positives_same_officer_same_day": fp_same_officer_day,
    }
    yield {
        "name": f"duplicates.{name}.precision",
        "value": precision,
        "unit": "ratio",
        "target": TARGET_PRECISION,
        **context,
    }
    yield {
        "name": f"duplicates.{name}.recall",
        "value": recall,
        "unit": "ratio",
        "target": TARGET_RECALL,
        **context,
    }
    yield {"name": f"duplicates.{name}.f1", "value": f1, "unit": "ratio", "target": None, **context}
    # What a specialist meets: a report of an incident already recorded shows at least one
    # right suggestion, so that linking it joins the incident's group (pairwise recall is also
    # bounded by the cap on suggestions per allegation when one complaint has many rows).
    by_complaint: dict[str, list[int]] = defaultdict(list)
    for index in sorted(outcome.pks.values(), key=lambda i: outcome.order[i]):
        by_complaint[reports[index].complaint].append(index)
    found = defaultdict(bool)
    for pair, score in outcome.suggested.items():
        a, b = pair
        if score >= threshold and reports[a].complaint == reports[b].complaint:
            later = a if outcome.order[a] > outcome.order[b] else b
            found[later] = True
    repeats = [i for rows in by_complaint.values() for i in rows[1:]]
    yield {
        "name": f"duplicates.{name}.repeat_reports_with_a_right_suggestion",
        "value": _ratio(sum(found[i] for i in repeats), len(repeats)),
        "unit": "ratio",
        "target": TARGET_RECALL,
        "repeat_reports": len(repeats),
        "note": "allegations whose complaint was already recorded that got at least one correct suggestion",
    }
    yield {
        "name": f"duplicates.{name}.recall_across_officers",
        "value": _ratio(tp_cross, true_cross),
        "unit": "ratio",
        "target": None,
        "true_pairs_across_officers": true_cross,
        "note": "rows of one complaint naming different officers: no shared subject",
    }
    sweep = {}
    for at in SWEEP:
        t, f, _, _ = counts(at)
        sweep[str(at)] = {
            "suggested_pairs": t + f,
            "precision": _ratio(t, t + f) if t + f else None,
            "recall": _ratio(t, true_total),
        }
    yield {
        "name": f"duplicates.{name}.threshold_sweep",
        "value": None,
        "unit": "precision/recall",
        "target": None,
        "sweep": sweep,
    }
    ms = sorted(s * 1000 for s in outcome.match_seconds)
    yield {
        "name": f"duplicates.{name}.ms_per_allegation",
        "value": round(statistics.mean(ms), 2),
        "unit": "ms",
        "target": TARGET_MS_PER_ALLEGATION,
        "p50": round(ms[len(ms) // 2], 2),
        "p95": round(ms[int(len(ms) * 0.95)], 2),
        "candidates_per_allegation_p50": sorted(outcome.candidates)[len(outcome.candidates) // 2]
        if outcome.candidates
        else 0,
        "database": "SQLite",
    }


def run() -> Iterator[dict[str, Any]]:
    missing = [d for d in (CCRB_DIR, CHICAGO_DIR) if not d.is_dir()]
    if len(missing) == 2:
        yield {
            "name": "duplicates.skipped",
            "value": None,
            "unit": "",
            "target": None,
            "reason": f"research data not present under {DATA_DIR} (clone ../shared beside the project)",
        }
        return
    with tempfile.TemporaryDirectory(prefix="probity-bench-") as var_dir:
        _setup_django(var_dir)
        from django.db import connections

        from probity.intake.duplicates import MatchConfig

        threshold = MatchConfig.from_settings().threshold
        datasets: list[tuple[str, Callable[[], list[Report]]]] = []
        if CCRB_DIR.is_dir():
            datasets.append(("ccrb", lambda: ccrb_reports(random.Random(SEED))))
        else:
            yield {
                "name": "duplicates.ccrb.skipped",
                "value": None,
                "unit": "",
                "target": None,
                "reason": f"not present: {CCRB_DIR}",
            }
        if CHICAGO_DIR.is_dir():
            datasets.append(("chicago", lambda: chicago_reports(random.Random(SEED), with_text=True)))
            datasets.append(
                ("chicago-no-text", lambda: chicago_reports(random.Random(SEED), with_text=False))
            )
        else:
            yield {
                "name": "duplicates.chicago.skipped",
                "value": None,
                "unit": "",
                "target": None,
                "reason": f"not present: {CHICAGO_DIR}",
            }
        for name, reports in datasets:
            yield from figures(name, load_and_match(reports()), threshold)
        connections.close_all()
