"""`probity import allegations FILE --format {probity-csv,ccrb,chicago-cpdp}`: bulk allegation import.

Every row is read and checked first (the format's own rules, then the rules of
`record_allegation` through `services.record.input_problems`, with categories, offices,
employees and earlier imports looked up once for the whole file); only a file without a bad
row is written, all of it in one transaction, by the bulk writer. Each allegation keeps its
`source_reference` (the CSV's external_id, "ccrb:<complaint>", "cpdp:<cr_id>"); one already
imported is left as it is, so importing the same file again adds and changes nothing.

Imports do not run the `on_recorded` hooks (the duplicate finder) per row: see writer.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.utils import timezone

from probity.core import audit, imports
from probity.core.imports import Column, Flag, Progress, Row, RowError, SourceFile, Staging
from probity.core.models import OrgUnit
from probity.intake.imports.ccrb import CcrbFormat
from probity.intake.imports.chicago import ChicagoFormat
from probity.intake.imports.probity_csv import COLUMNS, ProbityCsvFormat
from probity.intake.imports.source import FALLBACK_CATEGORY, Format, SourceAllegation, SourcePerson
from probity.intake.imports.writer import (
    AllegationRecord,
    NewEmployee,
    PersonRecord,
    chunks,
    create_employees,
    creation_events,
    employee_ids,
    recording_clocks,
    start_clocks,
    write_allegations,
)
from probity.intake.models import Allegation, AllegationCategory, AllegationStatus, ArrestCategory
from probity.intake.services.record import AllegationInput, PersonInput, derived_flags, input_problems

FORMATS: dict[str, type[Format]] = {
    "probity-csv": ProbityCsvFormat,
    "ccrb": CcrbFormat,
    "chicago-cpdp": ChicagoFormat,
}
LOOKUP_CHUNK = 500
AUDIT_BATCH = 5000
STEP = 1000  # progress is reported every STEP allegations


@dataclass
class AllegationStaging(Staging):
    records: list[AllegationRecord] = field(default_factory=list)
    new_employees: list[NewEmployee] = field(default_factory=list)
    file_name: str = ""
    sha256: str = ""


@dataclass
class _Lookups:
    """Everything a file's rows refer to, read once."""

    categories: dict[str, AllegationCategory]
    arrest_categories: dict[str, int]
    offices: dict[str, int]
    employees: dict[str, int]
    imported: set[str]


class AllegationImporter(imports.Importer[AllegationStaging]):
    kind = "allegations"
    summary = (
        "allegations from another system or a public data set (--format probity-csv, ccrb, chicago-cpdp)"
    )
    permissions = ("intake.add_allegation",)
    columns: ClassVar[tuple[Column, ...]] = COLUMNS
    formats = tuple(FORMATS)
    flags = (
        Flag(
            "create_employees",
            "allegations: add subjects the directory does not know as employees (else they are "
            "recorded as described persons: name and badge)",
        ),
    )

    def __init__(self) -> None:
        super().__init__()
        self.reader: Format = ProbityCsvFormat()
        self.source: SourceFile | None = None
        self.progress: Progress = imports.no_progress

    @classmethod
    def column_help(cls) -> str:
        return (
            super().column_help()
            + "\n  --format ccrb: the folder of a CCRB MOS-records snapshot (or one *_complaint.csv.gz)"
            + "\n  --format chicago-cpdp: complaints-complaints_*.csv.gz with its complaints-accused file"
        )

    def read(self, path: Path) -> SourceFile:
        self.reader = FORMATS[self.format]()
        self.source = self.reader.read(path)
        return self.source

    # --- checking ---------------------------------------------------------------------------

    def stage(self, rows: Sequence[Row], errors: list[RowError], progress: Progress) -> AllegationStaging:
        self.progress = progress
        staging = AllegationStaging()
        if self.source is not None:
            staging.file_name, staging.sha256 = self.source.name, self.source.sha256
        incoming = self.reader.parse(rows, errors, progress)
        lookups = self._lookups(incoming)
        if FALLBACK_CATEGORY not in lookups.categories:
            raise imports.ImportFileError(
                f'the allegation category "{FALLBACK_CATEGORY}" is missing or retired; an administrator '
                "must restore it before allegations can be imported"
            )
        now = timezone.now()
        create = self.options.get("create_employees", False)
        new_employees: dict[str, NewEmployee] = {}
        fallbacks: Counter[str] = Counter()
        for done, allegation in enumerate(incoming, start=1):
            if done % STEP == 0 or done == len(incoming):
                progress(STEP if done % STEP == 0 else done % STEP, len(incoming), "validating")
            if allegation.source_reference in lookups.imported:
                staging.unchanged += 1
                continue
            record = self._record(allegation, lookups, now, errors, fallbacks, create=create)
            if record is None:
                continue
            if create:
                for person in allegation.people:
                    employee = person.new_employee
                    if employee and person.employee_number not in lookups.employees:
                        new_employees.setdefault(employee.employee_number, employee)
            staging.records.append(record)
        staging.new_employees = list(new_employees.values())
        staging.created = len(staging.records)
        staging.warnings.extend(
            f'{count} allegation{"s" if count != 1 else ""} of type "{kind}" filed under '
            f'"{FALLBACK_CATEGORY}" (no such category here)'
            for kind, count in sorted(fallbacks.items())
        )
        if staging.unchanged:
            staging.warnings.append(
                f"{staging.unchanged} allegation{'s were' if staging.unchanged != 1 else ' was'} already "
                "imported and left as recorded"
            )
        staging.detail = {
            "allegations": staging.created,
            "people": sum(len(r.people) for r in staging.records),
            "employees_created": len(staging.new_employees),
            "already_imported": staging.unchanged,
        }
        return staging

    def _lookups(self, incoming: Sequence[SourceAllegation]) -> _Lookups:
        reader = self.reader
        references = [a.source_reference for a in incoming if a.source_reference]
        numbers = sorted({p.employee_number for a in incoming for p in a.people if p.employee_number})
        imported: set[str] = set()
        employees: dict[str, int] = {}
        if reader.reference_prefix:
            found = Allegation.objects.filter(source_reference__startswith=reader.reference_prefix)
            imported.update(str(ref) for ref in found.values_list("source_reference", flat=True))
        else:
            for chunk in chunks(references, LOOKUP_CHUNK):
                found = Allegation.objects.filter(source_reference__in=chunk)
                imported.update(str(ref) for ref in found.values_list("source_reference", flat=True))
        if reader.employee_prefix:
            from probity.core.models import Employee

            employees.update(
                Employee.objects.filter(employee_number__startswith=reader.employee_prefix).values_list(
                    "employee_number", "pk"
                )
            )
        else:
            employees = employee_ids(numbers)
        return _Lookups(
            categories={c.code: c for c in AllegationCategory.objects.filter(active=True)},
            arrest_categories=dict(ArrestCategory.objects.filter(active=True).values_list("code", "pk")),
            offices=dict(OrgUnit.objects.values_list("code", "pk")),
            employees=employees,
            imported=imported,
        )

    def _record(
        self,
        source: SourceAllegation,
        lookups: _Lookups,
        now: Any,
        errors: list[RowError],
        fallbacks: Counter[str],
        *,
        create: bool,
    ) -> AllegationRecord | None:
        problems: list[str] = []
        categories = self._categories(source, lookups, problems, fallbacks)
        office_id = lookups.offices.get(source.office_code) if source.office_code else None
        if source.office_code and office_id is None:
            problems.append(f'office_code "{source.office_code}" is not a known office')
        arrest_id = None
        if source.arrest_category_code:
            arrest_id = lookups.arrest_categories.get(source.arrest_category_code)
            if arrest_id is None:
                problems.append(
                    f'arrest_category "{source.arrest_category_code}" is not a known arrest category'
                )
        people: list[PersonRecord] = []
        inputs: list[PersonInput] = []
        for person in source.people:
            employee_id = lookups.employees.get(person.employee_number) if person.employee_number else None
            if person.must_exist and employee_id is None:
                problems.append(f'employee "{person.employee_number}" is not in the directory')
                continue
            people.append(self._person(person, employee_id, create=create))
            inputs.append(
                PersonInput(
                    role=person.role,
                    employee_id=employee_id,
                    name=person.name,
                    badge_number=person.badge_number,
                    description=person.description,
                    anonymous=person.anonymous,
                    contact=person.contact,
                    source_reference=person.source_reference,
                )
            )
        data = AllegationInput(
            channel=source.channel,
            summary=source.summary,
            narrative=source.narrative,
            received_at=source.received_at,
            category_codes=[c.code for c in categories],
            incident_date=source.incident_date,
            incident_date_precision=source.incident_date_precision,
            incident_end_date=source.incident_end_date,
            incident_place=source.incident_place,
            office_id=office_id,
            prea=source.prea,
            use_of_force=source.use_of_force,
            self_report_kind=source.self_report_kind,
            arrest_category_code=source.arrest_category_code,
            people=inputs,
            source_reference=source.source_reference,
        )
        known = {pid for pid in (p.employee_id for p in inputs) if pid is not None}
        for name, messages in input_problems(data, now, known_employee_ids=known).items():
            problems.extend(f"{name.replace('_', ' ')}: {message}" for message in messages)
        if problems:
            errors.extend(RowError(source.line, problem, source.file) for problem in problems)
            return None
        prea, use_of_force = derived_flags(data, categories)
        closed = source.status == AllegationStatus.CLOSED
        return AllegationRecord(
            fields={
                "channel": source.channel,
                "received_at": source.received_at,
                "status": source.status,
                "summary": source.summary.strip(),
                "narrative": source.narrative,
                "incident_date": source.incident_date,
                "incident_date_precision": source.incident_date_precision,
                "incident_end_date": source.incident_end_date,
                "incident_place": source.incident_place.strip(),
                "office_id": office_id,
                "prea": prea,
                "use_of_force": use_of_force,
                "self_report_kind": source.self_report_kind,
                "arrest_category_id": arrest_id,
                "source_reference": source.source_reference or None,
                "closed_at": source.closed_at if closed else None,
            },
            category_ids=[c.pk for c in categories],
            category_codes=[c.code for c in categories],
            people=people,
            line=source.line,
            file=source.file,
        )

    @staticmethod
    def _categories(
        source: SourceAllegation, lookups: _Lookups, problems: list[str], fallbacks: Counter[str]
    ) -> list[AllegationCategory]:
        found: dict[str, AllegationCategory] = {}
        for code in source.category_codes:
            category = lookups.categories.get(code)
            if category is None and source.strict_categories:
                problems.append(f'category "{code}" is not a known, active allegation category')
                continue
            if category is None:
                fallbacks[code] += 1
                category = lookups.categories[FALLBACK_CATEGORY]
            found[category.code] = category
        return list(found.values())

    @staticmethod
    def _person(person: SourcePerson, employee_id: int | None, *, create: bool) -> PersonRecord:
        # With --create-employees an unmatched subject points at the entry the import makes.
        to_create = create and employee_id is None and person.new_employee is not None
        return PersonRecord(
            role=person.role,
            employee_id=employee_id,
            employee_number=person.employee_number if to_create else "",
            name=person.name.strip(),
            badge_number=person.badge_number.strip(),
            description=person.description.strip(),
            anonymous=person.anonymous,
            contact=person.contact.strip(),
            source_reference=person.source_reference,
        )

    # --- writing ----------------------------------------------------------------------------

    def write(self, staged: AllegationStaging, *, actor: Any, actor_username: str) -> list[audit.EventSpec]:
        detail = {"import": self.format, "file": staged.file_name}
        ids, events = create_employees(
            staged.new_employees, actor=actor, actor_username=actor_username, detail=detail
        )
        total, progress = len(staged.records), self.progress

        def tick(done: int) -> None:
            progress(done, total, "writing")

        allegations = write_allegations(staged.records, actor=actor, employees=ids, tick=tick)
        events += creation_events(
            allegations, staged.records, actor=actor, actor_username=actor_username, detail=detail
        )
        _, clock_events = start_clocks(
            recording_clocks(allegations), actor=actor, actor_username=actor_username
        )
        events += clock_events
        # Appended here in batches, to show progress; `run_import` adds the `import` event last.
        for batch in chunks(events, AUDIT_BATCH):
            audit.record_many(batch)
            progress(len(batch), len(events), "auditing")
        return []


def connect() -> None:
    """Register the `allegations` kind with `probity import` (from IntakeConfig.ready())."""
    imports.register(AllegationImporter)
