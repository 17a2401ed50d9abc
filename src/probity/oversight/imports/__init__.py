"""`probity import incidents FILE --format {chicago-trr,seattle-uof}`: use-of-force data import.

Every row of every file is read and checked first (chicago_trr.py, seattle_uof.py); only a
source without a bad row is written, all of it in one transaction (core's `run_import`), in
batches of multi-row inserts (`_insert`): the incidents, then their employees, subjects and
force used. Each
incident keeps `source_system` and `source_reference` ("chicago-trr:<trr_id>",
"seattle-uof:<Incident_Num>"); one already imported is left as it is, so importing the same
files again adds and changes nothing. The audit trail gets one `create` event per incident
(as intake's import writes one per allegation) and core adds the run's `import` event.

Imported incidents are history: no office (the sources' districts and precincts are not our
org units; they are in `place`), no reviewer, no clocks, no allegation or case links.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.db import connection, models
from django.utils import timezone

from probity.core import audit, imports
from probity.core.imports import Column, Progress, Row, RowError, SourceFile, Staging
from probity.core.models import AuditAction
from probity.core.numbering import next_numbers
from probity.oversight.imports.chicago_trr import ChicagoTrrFormat
from probity.oversight.imports.seattle_uof import COLUMNS as SEATTLE_COLUMNS
from probity.oversight.imports.seattle_uof import SeattleUofFormat
from probity.oversight.imports.source import Format, SourceIncident
from probity.oversight.models import CriticalIncident, ForceUsed, IncidentEmployee, IncidentSubject
from probity.oversight.services.incidents import NUMBER_PREFIX, agency_year

FORMATS: dict[str, type[Format]] = {"chicago-trr": ChicagoTrrFormat, "seattle-uof": SeattleUofFormat}
BATCH = 1000  # incidents written (and their ids read back) at a time
INSERT_BATCH = 5000  # rows per executemany
LOOKUP_CHUNK = 500  # ids per IN (...), under every database's parameter limit
AUDIT_BATCH = 5000
# Values the drivers take as they are; anything else is prepared by its field.
PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)


@dataclass
class IncidentStaging(Staging):
    incidents: list[SourceIncident] = field(default_factory=list)


class IncidentImporter(imports.Importer[IncidentStaging]):
    kind = "incidents"
    summary = "use-of-force reports from a public data set (--format chicago-trr, seattle-uof)"
    permissions = ("oversight.add_criticalincident",)
    columns: ClassVar[tuple[Column, ...]] = SEATTLE_COLUMNS
    formats = tuple(FORMATS)

    def __init__(self) -> None:
        super().__init__()
        self.reader: Format = ChicagoTrrFormat()
        self.progress: Progress = imports.no_progress

    @classmethod
    def column_help(cls) -> str:
        return (
            f"{cls.kind}: {cls.summary}"
            + "\n  --format chicago-trr: TRR-main_<release>.csv.gz (or its folder) with the six TRR files "
            "of the same release beside it (Invisible Institute, chicago-police-data)"
            + "\n  --format seattle-uof: Use_Of_Force.csv (City of Seattle open data), columns:"
            + "".join(f"\n    {c.name:<18} {'*' if c.required else ' '} {c.help}" for c in cls.columns)
        )

    def read(self, path: Path) -> SourceFile:
        self.reader = FORMATS[self.format]()
        return self.reader.read(path)

    def stage(self, rows: Sequence[Row], errors: list[RowError], progress: Progress) -> IncidentStaging:
        self.progress = progress
        staging = IncidentStaging()
        incoming = self.reader.parse(rows, errors, progress)
        staging.warnings.extend(self.reader.warnings)
        prefix = f"{self.reader.name}:"
        imported = set(
            CriticalIncident.objects.filter(source_reference__startswith=prefix).values_list(
                "source_reference", flat=True
            )
        )
        for incident in incoming:
            if incident.source_reference in imported:
                staging.unchanged += 1
            else:
                staging.incidents.append(incident)
        staging.created = len(staging.incidents)
        if staging.unchanged:
            staging.warnings.append(
                f"{staging.unchanged} incident{'s were' if staging.unchanged != 1 else ' was'} already "
                "imported and left as recorded"
            )
        new = staging.incidents
        staging.detail = {
            "incidents": staging.created,
            "employees": sum(len(i.employees) for i in new),
            "subjects": sum(len(i.subjects) for i in new),
            "force_used": sum(len(i.force) for i in new),
            "kinds": dict(sorted(Counter(i.kind for i in new).items())),
            "statuses": dict(sorted(Counter(i.status for i in new).items())),
            "already_imported": staging.unchanged,
        }
        return staging

    def write(self, staged: IncidentStaging, *, actor: Any, actor_username: str) -> list[audit.EventSpec]:
        progress, sources = self.progress, staged.incidents
        now = timezone.now()
        numbers = _numbers(sources)
        incidents = [
            CriticalIncident(
                number=numbers[index],
                kind=source.kind,
                status=source.status,
                occurred_at=source.occurred_at,
                place=source.place,
                summary=source.summary,
                narrative=source.narrative,
                serious_injury=source.serious_injury,
                death=source.death,
                responders=source.responders,
                facts=source.facts,
                source_system=self.reader.name,
                source_reference=source.source_reference,
                created_at=now,
                created_by_id=actor.pk if actor is not None else None,
                updated_at=now,
            )
            for index, source in enumerate(sources)
        ]
        for start in range(0, len(incidents), BATCH):
            batch = incidents[start : start + BATCH]
            _insert(CriticalIncident, [_values(incident) for incident in batch])
            ids = _incident_ids([incident.source_reference or "" for incident in batch])
            for incident in batch:
                incident.pk = ids[incident.source_reference or ""]
                incident._state.adding = False
            progress(len(batch), len(incidents), "writing")
        _insert(
            IncidentEmployee,
            [
                {
                    "incident_id": incident.pk,
                    "source_id": person.source_id,
                    "description": person.description,
                    "actions": person.actions,
                    "injured": person.injured,
                }
                for incident, source in zip(incidents, sources, strict=True)
                for person in source.employees
            ],
        )
        employees = _employee_ids([incident.pk for incident in incidents])
        _insert(
            IncidentSubject,
            [
                {
                    "incident_id": incident.pk,
                    "source_id": subject.source_id,
                    "description": subject.description,
                    "age": subject.age,
                    "sex": subject.sex,
                    "race": subject.race,
                    "injured": subject.injured,
                    "injuries": subject.injuries,
                    "armed": subject.armed,
                    "weapon": subject.weapon,
                }
                for incident, source in zip(incidents, sources, strict=True)
                for subject in source.subjects
            ],
        )
        _insert(
            ForceUsed,
            [
                {
                    "incident_id": incident.pk,
                    "by_employee_id": employees[incident.pk][force.employee]
                    if force.employee is not None
                    else None,
                    "by_subject": force.by_subject,
                    "action": force.action,
                    "detail": force.detail,
                }
                for incident, source in zip(incidents, sources, strict=True)
                for force in source.force
            ],
        )
        events = _creation_events(incidents, sources, actor=actor, actor_username=actor_username)
        # Appended here in batches, to show progress; `run_import` adds the `import` event last.
        for start in range(0, len(events), AUDIT_BATCH):
            appended = events[start : start + AUDIT_BATCH]
            audit.record_many(appended)
            progress(len(appended), len(events), "auditing")
        return []


def _values(instance: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if not f.primary_key
    }


def _insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows, every column given (its default when absent): executemany on SQLite,
    COPY on PostgreSQL.

    `bulk_create` compiles every value of every row into SQL, which for 10^5 rows costs several
    times what the database spends. Text, numbers, booleans and ids go to the driver as they
    are; other values (times) are prepared as Django prepares them.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    unknown = set().union(*rows) - set(defaults)
    if unknown:
        raise ValueError(f"not {model.__name__} columns: {', '.join(sorted(unknown))}")
    prepare = [None if isinstance(f, PLAIN) else f for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = quote(model._meta.db_table)
    # Names come from the model's own metadata, quoted by the backend: nothing from the file.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            values = [
                tuple(
                    value if field is None else field.get_db_prep_save(value, connection)
                    for value, field in zip(
                        (row.get(name, defaults[name]) for name in defaults), prepare, strict=True
                    )
                )
                for row in rows[start : start + INSERT_BATCH]
            ]
            if connection.vendor == "postgresql":
                # COPY: PostgreSQL's bulk path; executemany still runs one INSERT per row there.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                cursor.executemany(sql, values)


def _incident_ids(references: Sequence[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(references), LOOKUP_CHUNK):
        chunk = references[start : start + LOOKUP_CHUNK]
        ids.update(
            (str(reference), pk)
            for reference, pk in CriticalIncident.objects.filter(source_reference__in=chunk).values_list(
                "source_reference", "pk"
            )
        )
    missing = [reference for reference in references if reference not in ids]
    if missing:
        raise RuntimeError(f"incidents {', '.join(missing[:3])} were not written")
    return ids


def _employee_ids(incident_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each incident's employee ids in the order they were written (ids only grow within a
    connection, whatever other writers do)."""
    found: dict[int, list[int]] = {pk: [] for pk in incident_ids}
    for start in range(0, len(incident_ids), LOOKUP_CHUNK):
        chunk = incident_ids[start : start + LOOKUP_CHUNK]
        rows = IncidentEmployee.objects.filter(incident_id__in=chunk).order_by("incident_id", "pk")
        for incident_id, pk in rows.values_list("incident_id", "pk"):
            found[incident_id].append(pk)
    return found


def _numbers(sources: Sequence[SourceIncident]) -> list[str]:
    """Numbered as `report_incident` numbers them (prefix, the agency's year of occurrence): one
    block of numbers per year, in order of occurrence."""
    by_year: dict[int, list[int]] = {}
    for index, source in enumerate(sources):
        by_year.setdefault(agency_year(source.occurred_at), []).append(index)
    numbers = [""] * len(sources)
    for year, members in sorted(by_year.items()):
        members.sort(key=lambda i: (sources[i].occurred_at, sources[i].source_reference))
        for index, number in zip(members, next_numbers(NUMBER_PREFIX, year, len(members)), strict=True):
            numbers[index] = number
    return numbers


def _creation_events(
    incidents: Sequence[CriticalIncident],
    sources: Sequence[SourceIncident],
    *,
    actor: Any,
    actor_username: str,
) -> list[audit.EventSpec]:
    label = audit.label_of(CriticalIncident)
    return [
        audit.EventSpec(
            action=AuditAction.CREATE,
            actor=actor,
            actor_username=actor_username,
            object_type=label,
            object_id=str(incident.pk),
            object_repr=f"{incident.number}: {incident.summary}",
            changes={
                "number": [None, incident.number],
                "kind": [None, incident.kind],
                "status": [None, incident.status],
                "occurred_at": [None, incident.occurred_at],
                "serious_injury": [None, incident.serious_injury],
                "death": [None, incident.death],
                "source_system": [None, incident.source_system],
                "source_reference": [None, incident.source_reference],
                "employees": [None, len(source.employees)],
                "subjects": [None, len(source.subjects)],
                "force_used": [None, len(source.force)],
            },
            detail={"import": incident.source_system, "file": source.file, "line": source.line},
        )
        for incident, source in zip(incidents, sources, strict=True)
    ]
