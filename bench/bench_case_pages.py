"""Case screens with 10,000 cases: server time of the case list, the case page and the caseload,
as a supervisor (scope: the Investigative Operations Directorate, every field office) and as an
agent (the cases they lead in Tucson), median and 95th percentile in milliseconds.

Each database runs in a child interpreter on a fresh, migrated database: SQLite always (in a
scratch folder); PostgreSQL too when this runs under `scripts/with-postgres`, which provides a
throwaway cluster:

    python bench/run.py bench_case_pages
    scripts/with-postgres .venv/bin/python bench/run.py bench_case_pages
    python bench/bench_case_pages.py --database sqlite      # one database, one JSON line

The data is written in bulk (no services, no audit events): the OPR offices of the demo
organisation, 10,000 cases spread over its field offices across three fiscal years and every
status, each with parties, per-subject allegations, a plan, activities with interviews,
evidence with custody transfers, history and its case-age clock; closed cases have findings.
Requests go through Django's test client with DEBUG off (no query log), so the figures are
the server's own time: middleware, access policy, queries, templates, and the audit event each
case page and list records. Every request reads a different case where it can.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
CASES = int(os.environ.get("PROBITY_BENCH_CASES", "10000"))
REQUESTS = int(os.environ.get("PROBITY_BENCH_REQUESTS", "60"))
WARMUP = 5
SEED = 20270401
# A page a person waits for: half of them well under a quarter of a second, nearly all under half.
TARGET_MEDIAN_MS = 250.0
TARGET_P95_MS = 500.0


# --- building the data (in the child) --------------------------------------------------------


def _build(cases: int) -> dict[str, Any]:
    """Offices, people and `cases` cases in bulk; returns what the measurements need."""
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from probity.core import demo
    from probity.core.models import Deadline, DeadlineRule, Employee, OrgUnit, RecordAssignment, Role
    from probity.core.services.org import add_org_unit
    from probity.core.services.users import create_user
    from probity.intake.models import AllegationCategory
    from probity.investigations import models as m
    from probity.investigations.services.opening import CASE_AGE_RULE, fiscal_year

    rng = random.Random(SEED)
    now = timezone.now()
    units: dict[str, OrgUnit] = {}
    for spec in demo.organisation():
        if spec.code != "CBP" and not spec.code.startswith("OPR"):
            continue
        parent = OrgUnit.objects.get(pk=units[spec.parent].pk) if spec.parent in units else None
        units[spec.code] = add_org_unit(
            actor=None,
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            parent=parent,
            city=spec.city,
            state=spec.state,
        )
    offices = [units[code] for code in demo.OPR_FIELD_OFFICES]
    supervisor = create_user(
        actor=None,
        username="bench-supervisor",
        password=None,
        roles=[Role.SUPERVISOR],
        office_scope=units[demo.INVESTIGATIVE_OPERATIONS],
        first_name="Bench",
        last_name="Supervisor",
    )
    agents = {
        office.pk: [
            create_user(
                actor=None,
                username=f"bench-{office.code.lower()}-{n}",
                password=None,
                roles=[Role.AGENT],
                office_scope=office,
                first_name=office.city,
                last_name=f"Agent {n}",
            )
            for n in range(3)
        ]
        for office in offices
    }
    agent = agents[units[demo.AGENT_OFFICE].pk][0]

    employees = Employee.objects.bulk_create(
        [
            Employee(employee_number=f"B{n:06d}", first_name=f"First{n}", last_name=f"Last{n % 997}")
            for n in range(cases)
        ],
        batch_size=1000,
    )
    categories = list(AllegationCategory.objects.filter(active=True))
    rule = DeadlineRule.objects.get(code=CASE_AGE_RULE)
    case_type = ContentType.objects.get_for_model(m.Case)
    statuses = [s for s in m.CaseStatus.values]
    weights = [5, 30, 3, 3, 8, 3, 45, 3]  # mostly investigating or closed, as in a real office
    counters: dict[tuple[int, int], int] = {}

    with transaction.atomic():
        rows = []
        for n in range(cases):
            office = rng.choice(offices)
            opened = now - dt.timedelta(days=rng.uniform(0, 3 * 365), minutes=n)
            year = fiscal_year(opened)
            counters[(office.pk, year)] = counters.get((office.pk, year), 0) + 1
            status = rng.choices(statuses, weights)[0]
            lead = (
                rng.choice(agents[office.pk]) if status != m.CaseStatus.OPENED or rng.random() < 0.5 else None
            )
            rows.append(
                m.Case(
                    number=f"{office.code}-{year}-{counters[(office.pk, year)]:06d}",
                    office=office,
                    fiscal_year=year,
                    case_type=rng.choice(m.CaseType.values),
                    status=status,
                    title=f"Bench case {n}: alleged misconduct at the port",
                    synopsis="A synthetic case for the benchmark.",
                    origin=m.CaseOrigin.ROUTED,
                    lead_agent=lead,
                    supervisor=supervisor if lead else None,
                    opened_at=opened,
                    closed_at=opened + dt.timedelta(days=rng.randint(30, 400))
                    if status == m.CaseStatus.CLOSED
                    else None,
                    created_at=opened,
                    updated_at=opened,
                )
            )
        made = m.Case.objects.bulk_create(rows, batch_size=1000)
        _children(made, rng, employees, categories, agents, rule, case_type, m, Deadline, RecordAssignment)
    led = [case.pk for case in made if case.lead_agent_id == agent.pk]
    # The supervisor reads the biggest cases too: one in ten requests is one with 30 of each row.
    return {"supervisor": supervisor, "agent": agent, "cases": [c.pk for c in made], "led": led}


def _children(  # noqa: PLR0917  # one call, from _build, with what it read
    cases: list[Any],
    rng: random.Random,
    employees: list[Any],
    categories: list[Any],
    agents: dict[int, list[Any]],
    rule: Any,
    case_type: Any,
    m: Any,
    deadline_model: Any,
    assignment_model: Any,
) -> None:
    """Parties, allegations, work, evidence, history and clocks for every case, in bulk."""
    import datetime as dt

    parties, members, assignments, plan, activities, items, events, clocks = [], [], [], [], [], [], [], []
    for index, case in enumerate(cases):
        big = index % 500 == 0  # a few very large cases: 30 of each row
        subjects = 30 if big else rng.choice([1, 1, 1, 2, 3])
        for s in range(subjects):
            employee = employees[(index * 3 + s) % len(employees)]
            parties.append(
                m.CaseParty(case=case, role=m.PartyRole.SUBJECT, employee=employee, added_at=case.opened_at)
            )
        parties.append(
            m.CaseParty(
                case=case,
                role=m.PartyRole.WITNESS,
                employee=employees[(index * 7 + 1) % len(employees)],
                added_at=case.opened_at,
            )
        )
        parties.append(
            m.CaseParty(
                case=case,
                role=m.PartyRole.COMPLAINANT,
                name=f"Complainant {index}",
                contact=f"complainant{index}@example.org",
                added_at=case.opened_at,
            )
        )
        if case.lead_agent_id:
            members.append(
                m.CaseMember(
                    case=case, user_id=case.lead_agent_id, role=m.MemberRole.LEAD, assigned_at=case.opened_at
                )
            )
            if rng.random() < 0.3:
                helper = rng.choice(agents[case.office_id])
                if helper.pk != case.lead_agent_id:
                    members.append(
                        m.CaseMember(
                            case=case, user=helper, role=m.MemberRole.TEAM, assigned_at=case.opened_at
                        )
                    )
                    assignments.append(
                        assignment_model(
                            user=helper,
                            content_type=case_type,
                            object_id=case.pk,
                            role="case team",
                            assigned_at=case.opened_at,
                        )
                    )
        worker = case.lead_agent_id or agents[case.office_id][0].pk
        for step in range(30 if big else 2):
            plan.append(
                m.PlanStep(
                    case=case,
                    description=f"Step {step}",
                    owner_id=worker,
                    due_date=(case.opened_at + dt.timedelta(days=30 * (step + 1))).date(),
                    created_at=case.opened_at,
                )
            )
        for number in range(30 if big else rng.randint(1, 5)):
            activities.append(
                m.Activity(
                    case=case,
                    kind=rng.choice(m.ActivityKind.values),
                    occurred_on=(case.opened_at + dt.timedelta(days=number)).date(),
                    performed_by_id=worker,
                    summary=f"Activity {number} on the case.",
                    created_at=case.opened_at,
                    created_by_id=worker,
                )
            )
        for number in range(30 if big else rng.randint(0, 3)):
            items.append(
                m.EvidenceItem(
                    case=case,
                    number=f"E-{number + 1:03d}",
                    description=f"Item {number}",
                    kind=rng.choice(m.EvidenceKind.values),
                    source="Port",
                    collected_by_id=worker,
                    collected_at=case.opened_at,
                    storage_location="Evidence room",
                    custodian="Evidence custodian",
                    created_at=case.opened_at,
                )
            )
        events.append(
            m.CaseEvent(
                case=case, kind="transition", to_value=m.CaseStatus.OPENED, reason="Routed", at=case.opened_at
            )
        )
        if case.status != m.CaseStatus.OPENED:
            events.append(
                m.CaseEvent(
                    case=case,
                    kind="transition",
                    from_value=m.CaseStatus.OPENED,
                    to_value=m.CaseStatus.INVESTIGATING,
                    at=case.opened_at,
                )
            )
        clocks.append(
            deadline_model(
                rule=rule,
                title=f"Close case {case.number}",
                content_type=case_type,
                object_id=case.pk,
                started_at=case.opened_at,
                due_at=case.opened_at + dt.timedelta(days=rule.amount),
                met_at=case.closed_at,
                office_id=case.office_id,
            )
        )
    made_parties = m.CaseParty.objects.bulk_create(parties, batch_size=1000)
    m.CaseMember.objects.bulk_create(members, batch_size=1000)
    assignment_model.objects.bulk_create(assignments, batch_size=1000)
    m.PlanStep.objects.bulk_create(plan, batch_size=1000)
    m.Activity.objects.bulk_create(activities, batch_size=1000)
    made_items = m.EvidenceItem.objects.bulk_create(items, batch_size=1000)
    m.CaseEvent.objects.bulk_create(events, batch_size=1000)
    deadline_model.objects.bulk_create(clocks, batch_size=1000)
    m.PartyRoleChange.objects.bulk_create(
        [m.PartyRoleChange(party=p, to_role=p.role, reason="Named", at=p.added_at) for p in made_parties],
        batch_size=1000,
    )
    allegations = [
        m.CaseAllegation(case_id=p.case_id, subject=p, category=rng.choice(categories), added_at=p.added_at)
        for p in made_parties
        if p.role == m.PartyRole.SUBJECT
    ]
    made_allegations = m.CaseAllegation.objects.bulk_create(allegations, batch_size=1000)
    custody = [
        m.CustodyTransfer(
            item=item,
            sequence=sequence,
            from_custodian="Collecting agent" if sequence == 1 else "Evidence custodian",
            to_custodian="Evidence custodian" if sequence == 1 else "Laboratory",
            purpose="Storage" if sequence == 1 else "Analysis",
            condition="Sealed",
            transferred_at=item.collected_at,
            recorded_at=item.collected_at,
            recorded_by_id=item.collected_by_id,
        )
        for item in made_items
        for sequence in (1, 2)
    ]
    m.CustodyTransfer.objects.bulk_create(custody, batch_size=1000)
    closed = {case.pk: case for case in cases if case.status == m.CaseStatus.CLOSED}
    findings = [
        m.Finding(
            allegation=allegation,
            outcome=rng.choice(m.FindingOutcome.values),
            rationale="The evidence shows it.",
            recorded_at=closed[allegation.case_id].closed_at,
            recorded_by_id=closed[allegation.case_id].lead_agent_id or cases[0].lead_agent_id,
            updated_at=closed[allegation.case_id].closed_at,
        )
        for allegation in made_allegations
        if allegation.case_id in closed and closed[allegation.case_id].lead_agent_id
    ]
    m.Finding.objects.bulk_create(findings, batch_size=1000)


# --- measuring (in the child) ----------------------------------------------------------------


def _timed(client: Any, urls: list[str]) -> tuple[list[float], int]:
    """Milliseconds per request (after a warm-up), and the queries of the last request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls[:WARMUP]:
        client.get(url)
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(urls[-1])
    return times, len(captured.captured_queries)


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def _measure(database: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="probity-bench-") as var_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "probity.settings"
        os.environ["PROBITY_VAR_DIR"] = var_dir
        if database == "sqlite":
            os.environ.pop("PROBITY_DATABASE_URL", None)
        elif not os.environ.get("PROBITY_DATABASE_URL", "").startswith("postgres"):
            raise SystemExit("run the postgres measurement under scripts/with-postgres")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        from django.conf import settings
        from django.db import connections
        from django.test import Client

        # As the test runner does: DEBUG off at run time (no query log, production error pages)
        # while static files are served as in development, without a collected manifest.
        settings.DEBUG = False

        started = time.perf_counter()
        data = _build(CASES)
        build_seconds = time.perf_counter() - started
        rng = random.Random(SEED + 1)
        pages = [f"/investigations/cases/{pk}/" for pk in rng.sample(data["cases"], REQUESTS)]
        big = [f"/investigations/cases/{pk}/" for pk in data["cases"][::500]]
        led = [
            f"/investigations/cases/{pk}/" for pk in rng.sample(data["led"], min(REQUESTS, len(data["led"])))
        ]
        list_pages = [f"/investigations/cases/?page={n % 20 + 1}" for n in range(REQUESTS)]
        filtered = [
            f"/investigations/cases/?status=investigating&type=criminal&sort=target&page={n % 3 + 1}"
            for n in range(REQUESTS)
        ]
        figures: dict[str, Any] = {"build_seconds": round(build_seconds, 1), "cases": CASES}
        scenarios: list[tuple[str, str, list[str]]] = [
            ("case page", "supervisor", pages),
            ("case page (30 parties, activities, evidence items)", "supervisor", (big * REQUESTS)[:REQUESTS]),
            ("case page", "agent", (led * REQUESTS)[:REQUESTS]),
            ("case list, open cases by age", "supervisor", list_pages),
            ("case list, filtered", "supervisor", filtered),
            ("case list, open cases by age", "agent", ["/investigations/cases/"] * REQUESTS),
            ("caseload", "supervisor", ["/investigations/caseload/"] * (REQUESTS // 3)),
        ]
        results = []
        for label, who, urls in scenarios:
            client = Client()
            client.force_login(data[who])
            times, queries = _timed(client, urls)
            results.append(
                {
                    "label": label,
                    "who": who,
                    "median": round(statistics.median(times), 1),
                    "p95": round(_p95(times), 1),
                    "queries": queries,
                    "requests": len(times),
                }
            )
        figures["results"] = results
        connections.close_all()
    return figures


# --- the parent --------------------------------------------------------------------------------


def _child(database: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--database", database]
    done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{database} measurement failed:\n{done.stderr[-3000:]}")
    last: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return last


def run() -> Iterator[dict[str, Any]]:
    databases = [("sqlite", "SQLite")]
    if os.environ.get("PROBITY_DATABASE_URL", "").startswith("postgres"):
        databases.append(("postgres", "PostgreSQL"))
    else:
        print(
            "bench_case_pages: SQLite only; run under scripts/with-postgres for PostgreSQL too",
            file=sys.stderr,
        )
    for database, label in databases:
        figures = _child(database)
        size = f"{figures['cases']:,} cases, {label}"
        yield _figure(f"case pages: building the data in bulk ({size})", figures["build_seconds"], "s", None)
        for result in figures["results"]:
            what = f"{result['label']} as {result['who']} ({size})"
            yield _figure(f"{what}, median", result["median"], "ms", TARGET_MEDIAN_MS)
            yield _figure(f"{what}, p95", result["p95"], "ms", TARGET_P95_MS)
            yield _figure(f"{what}, SQL queries per request", result["queries"], "queries", None)


def _figure(name: str, value: float, unit: str, target: float | None) -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "target": target}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--database":
        sys.path.insert(0, str(PROJECT_DIR / "src"))
        print(json.dumps(_measure(sys.argv[2]), default=str), flush=True)
    else:
        print("usage: bench_case_pages.py --database {sqlite,postgres}", file=sys.stderr)
        sys.exit(2)
