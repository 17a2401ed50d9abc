"""Bulk imports (`probity import KIND FILE`): validate every row, then write all or nothing.

An importer reads the rows of a file into a staging structure, collecting every bad row with
its line number and reason. Only a file without a single bad row is written, in one
transaction, with one audit event per record created or changed and one `import` event naming
the file, its SHA-256 and the counts. Re-importing the same file changes nothing.

Other modules add their own kinds from AppConfig.ready():

    imports.register(AllegationImporter)

An importer may read several formats (`probity import allegations FILE --format ccrb`) by
overriding `read`, and may take on/off options (`flags`, e.g. `--create-employees`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from probity.core import audit
from probity.core.models import AuditAction, Employee, EmployeeAssignment, EmployeeStatus, OrgUnit
from probity.core.services.people import agency_today, audit_changes, employee_values


class Progress(Protocol):
    """(units just done, units in all); a new `phase` (e.g. "writing") starts a new count."""

    def __call__(self, done: int, total: int, /, phase: str = "checking") -> object: ...


def no_progress(done: int, total: int, /, phase: str = "checking") -> None:
    return None


# Lookups by many keys go in chunks to stay under every database's parameter limit.
CHUNK = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, empty, wrong columns)."""


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    required: bool = False


@dataclass(frozen=True)
class Flag:
    """An on/off option of one importer, given as --NAME-WITH-DASHES on the command line."""

    name: str
    help: str

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Row:
    line: int  # where the record starts in the file; the header is line 1
    values: dict[str, str]
    file: str = ""  # which file, when one import reads several


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.file else f"line {self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    ignored_columns: tuple[str, ...] = ()


@dataclass
class Staging:
    """What an importer would do; subclasses add the records themselves."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)  # added to the `import` audit event


@dataclass
class ImportResult:
    kind: str
    file_name: str
    sha256: str
    rows: int
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


class Importer[S: Staging](ABC):
    """One kind of record. `stage` validates without writing; `write` writes what was staged."""

    kind: ClassVar[str]
    summary: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    permissions: ClassVar[tuple[str, ...]] = ()
    formats: ClassVar[tuple[str, ...]] = ("csv",)  # the first is the default
    flags: ClassVar[tuple[Flag, ...]] = ()

    def __init__(self) -> None:
        self.format = self.formats[0]
        self.options: dict[str, bool] = {}

    def configure(self, *, fmt: str | None, options: Mapping[str, bool]) -> None:
        """Choose the format and options before `read`; an unknown one is an ImportFileError."""
        if fmt is not None and fmt not in self.formats:
            raise ImportFileError(
                f"{self.kind} cannot be read as {fmt!r} (formats: {', '.join(self.formats)})"
            )
        known = {flag.name for flag in self.flags}
        unknown = sorted(name for name, on in options.items() if on and name not in known)
        if unknown:
            names = ", ".join("--" + name.replace("_", "-") for name in unknown)
            raise ImportFileError(f"{names} does not apply to {self.kind}")
        self.format = fmt or self.formats[0]
        self.options = {flag.name: bool(options.get(flag.name)) for flag in self.flags}

    def read(self, path: Path) -> SourceFile:
        """The rows of `path` in the chosen format; raise ImportFileError if it cannot be used."""
        return read_csv(path, self.columns)

    @abstractmethod
    def stage(self, rows: Sequence[Row], errors: list[RowError], progress: Progress) -> S: ...

    @abstractmethod
    def write(self, staged: S, *, actor: Any, actor_username: str) -> list[audit.EventSpec]:
        """Write the staged records and return their audit events (the caller records them)."""

    @classmethod
    def column_help(cls) -> str:
        width = max(len(column.name) for column in cls.columns)
        lines = [f"{cls.kind}: {cls.summary}", "  columns (all must be in the header; * = value required):"]
        for column in cls.columns:
            mark = "*" if column.required else " "
            lines.append(f"    {column.name:<{width}} {mark} {column.help}")
        return "\n".join(lines)


_registry: dict[str, type[Importer[Any]]] = {}


def register[T: type[Importer[Any]]](importer: T) -> T:
    _registry[importer.kind] = importer
    return importer


def kinds() -> list[str]:
    return sorted(_registry)


def importer_for(kind: str) -> Importer[Any]:
    try:
        return _registry[kind]()
    except KeyError:
        known = ", ".join(kinds()) or "none"
        raise ImportFileError(f"there is no importer for {kind!r} (known kinds: {known})") from None


def read_csv(path: Path, columns: Sequence[Column]) -> SourceFile:
    """The rows of a UTF-8 CSV file whose header names every column (in any order)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror})") from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f'{path}: line {line} is not UTF-8 text; save the file as "CSV UTF-8" and try again'
        ) from None
    if not text.strip():
        raise ImportFileError(f"{path}: the file is empty")
    if "\x00" in text:
        raise ImportFileError(f"{path}: holds NUL bytes, so it is not a CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = tuple(name.strip().lower() for name in next(reader))
        wanted = [column.name for column in columns]
        missing = [name for name in wanted if name not in header]
        if missing:
            raise ImportFileError(
                f"{path}: the header lacks column(s) {', '.join(missing)}; expected: {', '.join(wanted)}"
            )
        duplicated = sorted({name for name in header if header.count(name) > 1 and name})
        if duplicated:
            raise ImportFileError(f"{path}: the header names column(s) {', '.join(duplicated)} twice")
        rows: list[Row] = []
        last_line = reader.line_num
        for record in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(value.strip() for value in record):
                continue  # blank lines separate nothing in CSV; skipping them loses nothing
            if len(record) != len(header):
                rows.append(Row(line, {"": f"{len(record)} values where the header has {len(header)}"}))
                continue
            rows.append(Row(line, {name: value.strip() for name, value in zip(header, record, strict=True)}))
    except csv.Error as exc:
        raise ImportFileError(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None
    ignored = tuple(name for name in header if name not in wanted)
    return SourceFile(path.name, digest, header, tuple(rows), ignored)


def malformed(row: Row) -> str | None:
    """The reason a row could not be split into the header's columns, if it could not."""
    return row.values.get("") if len(row.values) == 1 and "" in row.values else None


def run_import(
    kind: str,
    path: Path,
    *,
    actor: Any = None,
    actor_username: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
    fmt: str | None = None,
    options: Mapping[str, bool] | None = None,
) -> ImportResult:
    """Validate every row of `path`; unless a row is bad or it is a dry run, write them all.

    `actor=None` is the operator at the command line, named by `actor_username` in the trail.
    Raises ImportFileError when the file as a whole cannot be read.
    """
    importer = importer_for(kind)
    if actor is not None:
        lacking = [perm for perm in importer.permissions if not actor.has_perm(perm)]
        if lacking:
            raise PermissionDenied(f"{actor} may not import {kind} (needs {', '.join(lacking)})")
    importer.configure(fmt=fmt, options=options or {})
    source = importer.read(path)
    result = ImportResult(kind, source.name, source.sha256, len(source.rows), dry_run)
    if source.ignored_columns:
        result.warnings.append(f"ignored column(s) not used for {kind}: {', '.join(source.ignored_columns)}")
    tick: Progress = progress or no_progress
    with transaction.atomic():
        staged = importer.stage(source.rows, result.errors, tick)
        result.errors.sort(key=lambda error: (error.file, error.line))
        result.warnings.extend(staged.warnings)
        result.created, result.updated, result.unchanged = staged.created, staged.updated, staged.unchanged
        if result.errors or dry_run:
            return result
        events = importer.write(staged, actor=actor, actor_username=actor_username)
        events.append(
            audit.EventSpec(
                action=AuditAction.IMPORT,
                actor=actor,
                actor_username=actor_username,
                object_type=kind,
                object_repr=source.name,
                detail={
                    "kind": kind,
                    "file": source.name,
                    "sha256": source.sha256,
                    "rows": len(source.rows),
                    "created": staged.created,
                    "updated": staged.updated,
                    "unchanged": staged.unchanged,
                    **({"format": importer.format} if len(importer.formats) > 1 else {}),
                    **({"options": importer.options} if importer.options else {}),
                    **staged.detail,
                },
            )
        )
        audit.record_many(events)
    return result


# --- values ---------------------------------------------------------------------------------

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TRUE_WORDS = frozenset({"true", "yes", "1", "y", "t"})
FALSE_WORDS = frozenset({"false", "no", "0", "n", "f", ""})


class BadValue(ValueError):
    pass


def parse_date(name: str, raw: str) -> dt.date | None:
    if not raw:
        return None
    if ISO_DATE.fullmatch(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise BadValue(f'{name} "{raw}" is not a date (YYYY-MM-DD)')


def parse_bool(name: str, raw: str) -> bool:
    value = raw.lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise BadValue(f'{name} "{raw}" is not true/false (true, false, yes, no, 1 or 0)')


def chunked[T](items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- employees ------------------------------------------------------------------------------

EMPLOYEE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
SERIES = re.compile(r"\d{4}")
TEXT_LIMITS: dict[str, int | None] = {
    field_name: getattr(Employee._meta.get_field(field_name), "max_length", None)
    for field_name in (
        "employee_number",
        "first_name",
        "middle_name",
        "last_name",
        "suffix",
        "position_title",
        "series",
        "grade",
    )
}
STATUS_BY_WORD = {
    **{status.value: status.value for status in EmployeeStatus},
    **{status.label.lower(): status.value for status in EmployeeStatus},
}


@dataclass
class EmployeeRecord:
    """One valid row: the employee's fields and where they work."""

    line: int
    fields: dict[str, Any]
    org_unit_id: int | None
    duty_station_id: int | None
    supervisor_number: str

    @property
    def number(self) -> str:
        return str(self.fields["employee_number"])

    def placement(self) -> tuple[int | None, int | None, str]:
        return (self.org_unit_id, self.duty_station_id, self.supervisor_number)


@dataclass
class CurrentPlacement:
    assignment_id: int
    org_unit_id: int
    duty_station_id: int | None
    supervisor_number: str
    start_date: dt.date


@dataclass
class EmployeeUpdate:
    record: EmployeeRecord
    employee: Employee
    changed_fields: list[str]
    field_changes: dict[str, list[Any]]  # for the audit trail, sensitive values masked
    placement_before: CurrentPlacement | None
    moved: bool  # the org unit, duty station or supervisor changed


@dataclass
class EmployeeStaging(Staging):
    new: list[EmployeeRecord] = field(default_factory=list)
    changes: list[EmployeeUpdate] = field(default_factory=list)
    unit_codes: dict[int, str] = field(default_factory=dict)
    today: dt.date = field(default_factory=agency_today)


@register
class EmployeeImporter(Importer[EmployeeStaging]):
    kind = "employees"
    summary = "the workforce directory, one row per employee, applicant or contractor"
    permissions = ("core.add_employee", "core.change_employee")
    columns = (
        Column("employee_number", "the agency's employee number, unique (letters, digits, -)", required=True),
        Column("first_name", "given name", required=True),
        Column("middle_name", "middle name or initial"),
        Column("last_name", "family name", required=True),
        Column("suffix", "Jr., Sr., III, …"),
        Column("date_of_birth", "YYYY-MM-DD; stored encrypted"),
        Column("position_title", "e.g. CBP Officer"),
        Column("series", "OPM occupational series, four digits, e.g. 1895"),
        Column("grade", "pay plan and grade, e.g. GS-12"),
        Column("law_enforcement", "true/false/yes/no/1/0 (blank: false)"),
        Column("status", "active, separated, applicant or contractor", required=True),
        Column("org_unit_code", "code of the org unit the employee is assigned to (blank: none)"),
        Column("duty_station_code", "code of the office where they work, if not the org unit"),
        Column(
            "supervisor_employee_number", "the supervisor's employee number, in this file or already known"
        ),
        Column("entry_on_duty_date", "YYYY-MM-DD"),
    )

    def stage(self, rows: Sequence[Row], errors: list[RowError], progress: Progress) -> EmployeeStaging:
        staging = EmployeeStaging()
        units = dict(OrgUnit.objects.values_list("code", "pk"))
        staging.unit_codes = {pk: code for code, pk in units.items()}
        records: dict[str, EmployeeRecord] = {}
        first_line: dict[str, int] = {}  # every number in the file, bad rows included
        references: list[tuple[int, str]] = []  # (line, supervisor number)
        reported = 0
        for done, row in enumerate(rows, start=1):
            record = self._parse(row, units, staging.today, errors)
            number = row.values.get("employee_number", "")
            if number in first_line:
                errors.append(
                    RowError(row.line, f'employee_number "{number}" is already on line {first_line[number]}')
                )
                record = None
            elif number:
                first_line[number] = row.line
            supervisor = row.values.get("supervisor_employee_number", "")
            if supervisor and supervisor != number:
                references.append((row.line, supervisor))
            if record is not None:
                records[number] = record
            if done % 250 == 0 or done == len(rows):
                progress(done - reported, len(rows))
                reported = done
        self._check_supervisors_exist(set(first_line), references, errors)
        self._check_supervisor_loops(records, errors)
        if not errors:
            self._plan(records, self._existing(list(records)), staging)
        return staging

    def _parse(
        self, row: Row, units: dict[str, int], today: dt.date, errors: list[RowError]
    ) -> EmployeeRecord | None:
        reason = malformed(row)
        if reason is not None:
            errors.append(RowError(row.line, reason))
            return None
        values = row.values
        problems = self._text_problems(values)
        fields = self._typed_fields(values, today, problems)
        unit_id, station_id = self._placement(values, units, problems)
        if problems:
            errors.extend(RowError(row.line, problem) for problem in problems)
            return None
        return EmployeeRecord(row.line, fields, unit_id, station_id, values["supervisor_employee_number"])

    def _text_problems(self, values: dict[str, str]) -> list[str]:
        problems = [f"{c.name} is required" for c in self.columns if c.required and not values[c.name]]
        problems += [
            f"{name} is longer than {limit} characters"
            for name, limit in TEXT_LIMITS.items()
            if limit is not None and len(values[name]) > limit
        ]
        number = values["employee_number"]
        if number and not EMPLOYEE_NUMBER.fullmatch(number):
            problems.append(f'employee_number "{number}" may hold only letters, digits and hyphens')
        if values["series"] and not SERIES.fullmatch(values["series"]):
            problems.append(f'series "{values["series"]}" is not a four-digit series')
        return problems

    def _typed_fields(self, values: dict[str, str], today: dt.date, problems: list[str]) -> dict[str, Any]:
        """The Employee fields of a row; each value that cannot be read adds a problem."""
        fields: dict[str, Any] = {name: values[name] for name in TEXT_LIMITS}
        status = STATUS_BY_WORD.get(values["status"].lower())
        if values["status"] and status is None:
            choices = ", ".join(s.value for s in EmployeeStatus)
            problems.append(f'status "{values["status"]}" is not one of {choices}')
        fields["status"] = status
        for name in ("date_of_birth", "entry_on_duty_date"):
            try:
                fields[name] = parse_date(name, values[name])
            except BadValue as exc:
                problems.append(str(exc))
        try:
            fields["law_enforcement"] = parse_bool("law_enforcement", values["law_enforcement"])
        except BadValue as exc:
            problems.append(str(exc))
        born, entered = fields.get("date_of_birth"), fields.get("entry_on_duty_date")
        if born is not None and born >= today:
            problems.append(f'date_of_birth "{born.isoformat()}" is not in the past')
        if born is not None and entered is not None and entered <= born:
            problems.append("entry_on_duty_date is not after date_of_birth")
        return fields

    def _placement(
        self, values: dict[str, str], units: dict[str, int], problems: list[str]
    ) -> tuple[int | None, int | None]:
        ids: list[int | None] = []
        for name in ("org_unit_code", "duty_station_code"):
            code = values[name]
            ids.append(units.get(code) if code else None)
            if code and ids[-1] is None:
                problems.append(f'{name} "{code}" is not a known org unit')
        supervisor = values["supervisor_employee_number"]
        if not values["org_unit_code"] and (values["duty_station_code"] or supervisor):
            problems.append("a duty station or supervisor needs an org_unit_code")
        if supervisor and supervisor == values["employee_number"]:
            problems.append("an employee cannot be their own supervisor")
        return ids[0], ids[1]

    def _existing(self, numbers: list[str]) -> dict[str, tuple[Employee, CurrentPlacement | None]]:
        found: dict[str, tuple[Employee, CurrentPlacement | None]] = {}
        for chunk in chunked(numbers):
            employees = {e.employee_number: e for e in Employee.objects.filter(employee_number__in=chunk)}
            placements = {
                row["employee__employee_number"]: CurrentPlacement(
                    row["pk"],
                    row["org_unit_id"],
                    row["duty_station_id"],
                    row["supervisor__employee_number"] or "",
                    row["start_date"],
                )
                for row in EmployeeAssignment.objects.filter(
                    end_date__isnull=True, employee__employee_number__in=chunk
                ).values(
                    "pk",
                    "employee__employee_number",
                    "org_unit_id",
                    "duty_station_id",
                    "supervisor__employee_number",
                    "start_date",
                )
            }
            for number, employee in employees.items():
                found[number] = (employee, placements.get(number))
        return found

    def _check_supervisors_exist(
        self, in_file: set[str], references: list[tuple[int, str]], errors: list[RowError]
    ) -> None:
        outside = sorted({number for _, number in references} - in_file)
        known: set[str] = set()
        for chunk in chunked(outside):
            known.update(
                Employee.objects.filter(employee_number__in=chunk).values_list("employee_number", flat=True)
            )
        errors.extend(
            RowError(
                line, f'supervisor_employee_number "{number}" is neither in this file nor in the directory'
            )
            for line, number in references
            if number not in in_file and number not in known
        )

    def _check_supervisor_loops(self, records: dict[str, EmployeeRecord], errors: list[RowError]) -> None:
        """No chain of supervisors may come back to where it started, once the file is in."""
        chain = dict(
            EmployeeAssignment.objects.filter(end_date__isnull=True, supervisor__isnull=False).values_list(
                "employee__employee_number", "supervisor__employee_number"
            )
        )
        for record in records.values():
            chain[record.number] = record.supervisor_number
        for record in records.values():
            path = [record.number]
            current = chain.get(record.number) or ""
            while current and current not in path:
                path.append(current)
                current = chain.get(current) or ""
            if current == record.number:
                loop = " → ".join([*path, record.number])
                errors.append(
                    RowError(record.line, f"the supervisor chain loops back to this employee ({loop})")
                )

    def _plan(
        self,
        records: dict[str, EmployeeRecord],
        existing: dict[str, tuple[Employee, CurrentPlacement | None]],
        staging: EmployeeStaging,
    ) -> None:
        for number, record in records.items():
            if number not in existing:
                staging.new.append(record)
                continue
            employee, placement = existing[number]
            before = employee_values(employee)
            changed = [name for name, value in record.fields.items() if before.get(name) != value]
            now_at = (
                (placement.org_unit_id, placement.duty_station_id, placement.supervisor_number)
                if placement
                else (None, None, "")
            )
            moved = now_at != record.placement()
            if changed or moved:
                field_changes = audit_changes(before, record.fields)
                staging.changes.append(
                    EmployeeUpdate(record, employee, changed, field_changes, placement, moved)
                )
            else:
                staging.unchanged += 1
        staging.created, staging.updated = len(staging.new), len(staging.changes)

    def write(self, staged: EmployeeStaging, *, actor: Any, actor_username: str) -> list[audit.EventSpec]:
        today = staged.today
        Employee.objects.bulk_create([Employee(**record.fields) for record in staged.new], batch_size=CHUNK)
        changed_fields: set[str] = set()
        for update in staged.changes:
            for name in update.changed_fields:
                setattr(update.employee, name, update.record.fields[name])
            changed_fields.update(update.changed_fields)
        to_update = [update.employee for update in staged.changes if update.changed_fields]
        if to_update:
            stamp = timezone.now()  # bulk_update skips auto_now
            for employee in to_update:
                employee.updated_at = stamp
            Employee.objects.bulk_update(to_update, [*sorted(changed_fields), "updated_at"], batch_size=CHUNK)
        ids = self._ids(
            [r.number for r in staged.new]
            + [u.record.number for u in staged.changes]
            + [
                r.supervisor_number
                for r in [*staged.new, *(u.record for u in staged.changes)]
                if r.supervisor_number
            ]
        )

        def assignment(record: EmployeeRecord, start: dt.date) -> EmployeeAssignment:
            if record.org_unit_id is None:
                raise ValueError(f"line {record.line}: no org unit to assign to")
            return EmployeeAssignment(
                employee_id=ids[record.number],
                org_unit_id=record.org_unit_id,
                duty_station_id=record.duty_station_id,
                supervisor_id=ids[record.supervisor_number] if record.supervisor_number else None,
                start_date=start,
            )

        opened = [
            assignment(record, record.fields["entry_on_duty_date"] or today)
            for record in staged.new
            if record.org_unit_id is not None
        ]
        closed: list[EmployeeAssignment] = []
        corrected: list[EmployeeAssignment] = []
        for update in staged.changes:
            if not update.moved:
                continue
            before, record = update.placement_before, update.record
            if before is not None and before.start_date >= today and record.org_unit_id is not None:
                # Placed today (or from a future date): a correction, not a move.
                fixed = assignment(record, before.start_date)
                fixed.pk = before.assignment_id
                corrected.append(fixed)
                continue
            if before is not None:
                end = max(today - dt.timedelta(days=1), before.start_date)
                closed.append(EmployeeAssignment(pk=before.assignment_id, end_date=end))
            if record.org_unit_id is not None:
                opened.append(assignment(record, today))
        EmployeeAssignment.objects.bulk_update(closed, ["end_date"], batch_size=CHUNK)
        EmployeeAssignment.objects.bulk_update(
            corrected, ["org_unit_id", "duty_station_id", "supervisor_id"], batch_size=CHUNK
        )
        EmployeeAssignment.objects.bulk_create(opened, batch_size=CHUNK)
        return self._events(staged, ids, actor, actor_username)

    def _ids(self, numbers: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(numbers))
        ids: dict[str, int] = {}
        for chunk in chunked(wanted):
            ids.update(
                Employee.objects.filter(employee_number__in=chunk).values_list("employee_number", "pk")
            )
        return ids

    def _events(
        self, staged: EmployeeStaging, ids: dict[str, int], actor: Any, actor_username: str
    ) -> list[audit.EventSpec]:
        codes = staged.unit_codes

        def placement(record: EmployeeRecord | None, before: CurrentPlacement | None = None) -> Any:
            if record is not None and record.org_unit_id is not None:
                return {
                    "org_unit": codes.get(record.org_unit_id),
                    "duty_station": codes.get(record.duty_station_id) if record.duty_station_id else None,
                    "supervisor": record.supervisor_number or None,
                }
            if before is not None:
                return {
                    "org_unit": codes.get(before.org_unit_id),
                    "duty_station": codes.get(before.duty_station_id) if before.duty_station_id else None,
                    "supervisor": before.supervisor_number or None,
                }
            return None

        def spec(action: str, record: EmployeeRecord, changes: dict[str, Any]) -> audit.EventSpec:
            fields = record.fields
            return audit.EventSpec(
                action=action,
                actor=actor,
                actor_username=actor_username,
                object_type=audit.label_of(Employee),
                object_id=str(ids[record.number]),
                object_repr=f"{fields['first_name']} {fields['last_name']} ({record.number})",
                changes=changes,
            )

        events = []
        for record in staged.new:
            changes = audit_changes({}, record.fields)
            if record.org_unit_id is not None:
                changes["assignment"] = [None, placement(record)]
            events.append(spec(AuditAction.CREATE, record, changes))
        for update in staged.changes:
            changes = dict(update.field_changes)
            if update.moved:
                old = placement(None, update.placement_before)
                new = placement(update.record) if update.record.org_unit_id is not None else None
                changes["assignment"] = [old, new]
            events.append(spec(AuditAction.UPDATE, update.record, changes))
        return events
