"""The bulk writer behind allegation imports and the demo: thousands of allegations per second.

`record_allegation` is the one way a single allegation comes into being; this module is its
bulk twin for records that were already validated with the same rules
(`services.record.input_problems`): numbers reserved per year in one call, rows written with
`bulk_create` in batches, one `create` audit event per allegation returned to the caller (who
appends them with `audit.record_many`). It runs inside the caller's transaction.

What it deliberately does not do: call the `hooks.on_recorded` handlers (the duplicate finder)
once per row. Duplicates among imported allegations are not computed on import; historical
records are linked by their source's own complaint number instead (one allegation per
complaint), and the duplicate finder looks at them when a new allegation arrives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from probity.core import audit
from probity.core.deadlines import due_at
from probity.core.fields import ENCRYPTED_FIELD_TYPES
from probity.core.models import AuditAction, Deadline, DeadlineRule, Employee
from probity.core.numbering import next_numbers
from probity.intake.models import Allegation, AllegationPerson, AllegationStatus, Channel
from probity.intake.services.prea import PREA_CLOCKS
from probity.intake.services.record import NUMBER_PREFIX, TRIAGE_RULE, agency_year

ALLEGATION_BATCH = 1000
PEOPLE_BATCH = 2000
LINK_BATCH = 5000
EMPLOYEE_BATCH = 2000
LOOKUP_CHUNK = 500

Tick = Callable[[int], object]  # allegations just written


@dataclass
class PersonRecord:
    """One AllegationPerson to write. `employee_number` is resolved to an id after new
    directory entries are created (an import with --create-employees)."""

    role: str
    employee_id: int | None = None
    employee_number: str = ""
    name: str = ""
    badge_number: str = ""
    description: str = ""
    anonymous: bool = False
    contact: str = ""
    contact_preference: str = ""
    source_reference: str = ""


@dataclass
class AllegationRecord:
    """One validated allegation: its model fields (no number, no timestamps), categories, people."""

    fields: dict[str, Any]
    category_ids: list[int] = field(default_factory=list)
    category_codes: list[str] = field(default_factory=list)  # for the audit trail
    people: list[PersonRecord] = field(default_factory=list)
    line: int = 0  # where it came from, for the audit detail
    file: str = ""

    @property
    def received_at(self) -> dt.datetime:
        return cast(dt.datetime, self.fields["received_at"])


@dataclass
class NewEmployee:
    """A directory entry made for a subject the directory does not know (--create-employees)."""

    employee_number: str
    first_name: str
    last_name: str
    middle_name: str = ""
    position_title: str = ""
    status: str = "active"
    law_enforcement: bool = True
    entry_on_duty_date: dt.date | None = None
    source: str = ""  # e.g. "ccrb officer file", for the audit detail

    def fields(self) -> dict[str, Any]:
        return {
            "employee_number": self.employee_number,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "position_title": self.position_title,
            "status": self.status,
            "law_enforcement": self.law_enforcement,
            "entry_on_duty_date": self.entry_on_duty_date,
        }


def chunks[T](items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def employee_ids(numbers: Sequence[str]) -> dict[str, int]:
    """Directory ids by employee number, in chunks that stay under every database's limits."""
    ids: dict[str, int] = {}
    wanted = sorted(set(numbers))
    for chunk in chunks(wanted, LOOKUP_CHUNK):
        ids.update(Employee.objects.filter(employee_number__in=chunk).values_list("employee_number", "pk"))
    return ids


def create_employees(
    new: Sequence[NewEmployee], *, actor: Any, actor_username: str, detail: dict[str, Any]
) -> tuple[dict[str, int], list[audit.EventSpec]]:
    """Bulk-create directory entries; return their ids by number and one create event each."""
    if not new:
        return {}, []
    now = timezone.now()
    defaults = {**_defaults(Employee), "created_at": now, "updated_at": now}
    columns = list(defaults)
    insert = _Insert(Employee, columns)
    for batch in chunks(new, EMPLOYEE_BATCH):
        insert.run([[{**defaults, **employee.fields()}[name] for name in columns] for employee in batch])
    ids = employee_ids([employee.employee_number for employee in new])
    events = [
        audit.EventSpec(
            action=AuditAction.CREATE,
            actor=actor,
            actor_username=actor_username,
            object_type=audit.label_of(Employee),
            object_id=str(ids[employee.employee_number]),
            object_repr=f"{employee.first_name} {employee.last_name} ({employee.employee_number})",
            changes={
                name: [None, value] for name, value in employee.fields().items() if value not in ("", None)
            },
            detail={**detail, "source": employee.source} if employee.source else detail,
        )
        for employee in new
    ]
    return ids, events


def _numbered(records: Sequence[AllegationRecord]) -> list[tuple[AllegationRecord, str]]:
    """Reserve one block of numbers per year of receipt; number each year in order of receipt."""
    by_year: dict[int, list[AllegationRecord]] = {}
    for record in records:
        by_year.setdefault(agency_year(record.received_at), []).append(record)
    numbered: dict[int, str] = {}
    for year, members in sorted(by_year.items()):
        members.sort(key=lambda r: (r.received_at, str(r.fields.get("source_reference") or "")))
        for record, number in zip(members, next_numbers(NUMBER_PREFIX, year, len(members)), strict=True):
            numbered[id(record)] = number
    return [(record, numbered[id(record)]) for record in records]


class _Insert:
    """INSERT many rows through the DB-API's executemany.

    `bulk_create` compiles every value of every row into one statement; for 10^5 rows that
    costs several times what the database itself spends (and with DEBUG on, Django also
    renders each statement for its query log). Values are prepared as Django would, except for
    the plain types the drivers take as they are.
    """

    PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)

    def __init__(self, model: type[models.Model], attnames: Sequence[str]) -> None:
        by_attname = {str(f.attname): f for f in model._meta.concrete_fields}
        fields = [by_attname[name] for name in attnames]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # Names come from the model's own metadata, quoted by the backend: nothing from the file.
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        self.converters = [self._converter(f) for f in fields]

    def _converter(self, field: Any) -> Callable[[Any], Any] | None:
        if isinstance(field, ENCRYPTED_FIELD_TYPES) or not isinstance(field, self.PLAIN):
            return lambda value: field.get_db_prep_save(value, connection)
        return None

    def run(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        converters = self.converters
        params = [
            tuple(
                value if convert is None else convert(value)
                for value, convert in zip(row, converters, strict=True)
            )
            for row in rows
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY is PostgreSQL's bulk path; psycopg's executemany costs a round trip a row.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in params:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, params)


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """Every column's Python default: the database has none, executemany must give them all."""
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


PERSON_COLUMNS = (
    "allegation_id",
    "role",
    "employee_id",
    "name",
    "badge_number",
    "description",
    "anonymous",
    "contact",
    "contact_preference",
    "source_reference",
)


def write_allegations(
    records: Sequence[AllegationRecord],
    *,
    actor: Any,
    employees: dict[str, int] | None = None,
    tick: Tick | None = None,
) -> list[Allegation]:
    """Number and write the allegations with their categories and people, in the order given.

    `employees` resolves PersonRecord.employee_number to ids (directory entries made by this
    import). Call inside a transaction: a failure part-way leaves nothing behind.
    """
    now = timezone.now()
    resolved = employees or {}
    created: list[Allegation] = []
    pending = _numbered(records)
    defaults = _defaults(Allegation)
    defaults.update(created_by_id=actor.pk if actor is not None else None, created_at=now, updated_at=now)
    columns = [name for name in defaults if name != "number"] + ["number"]
    allegations = _Insert(Allegation, columns)
    through = Allegation.categories.through
    links = _Insert(through, ["allegation_id", "allegationcategory_id"])
    people = _Insert(AllegationPerson, PERSON_COLUMNS)
    for batch in chunks(pending, ALLEGATION_BATCH):
        values = [{**defaults, **record.fields, "number": number} for record, number in batch]
        unknown = set(values[0]) - set(columns) if values else set()
        if unknown:
            raise ValueError(f"not allegation fields: {', '.join(sorted(unknown))}")
        allegations.run([[row[name] for name in columns] for row in values])
        ids = _ids_by_number([number for _, number in batch])
        rows = []
        for row in values:
            allegation = Allegation(**row)
            allegation.pk = ids[row["number"]]
            allegation._state.adding = False
            rows.append(allegation)
        links.run(
            [
                (row.pk, category_id)
                for row, (record, _) in zip(rows, batch, strict=True)
                for category_id in dict.fromkeys(record.category_ids)
            ]
        )
        people.run(
            [
                (
                    row.pk,
                    person.role,
                    person.employee_id
                    if person.employee_id is not None
                    else resolved.get(person.employee_number),
                    person.name,
                    person.badge_number,
                    person.description,
                    person.anonymous,
                    person.contact,
                    person.contact_preference,
                    person.source_reference,
                )
                for row, (record, _) in zip(rows, batch, strict=True)
                for person in record.people
            ]
        )
        created.extend(rows)
        if tick is not None:
            tick(len(rows))
    return created


def _ids_by_number(numbers: Sequence[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for chunk in chunks(numbers, LOOKUP_CHUNK):
        ids.update(Allegation.objects.filter(number__in=chunk).values_list("number", "pk"))
    missing = [number for number in numbers if number not in ids]
    if missing:
        raise RuntimeError(f"allegations {', '.join(missing[:3])} were not written")
    return ids


def creation_events(
    allegations: Sequence[Allegation],
    records: Sequence[AllegationRecord],
    *,
    actor: Any,
    actor_username: str,
    detail: dict[str, Any] | None = None,
) -> list[audit.EventSpec]:
    """One `create` event per allegation, with the fields record_allegation's event carries."""
    label = audit.label_of(Allegation)
    events = []
    for allegation, record in zip(allegations, records, strict=True):
        changes: dict[str, Any] = {
            "number": [None, allegation.number],
            "channel": [None, allegation.channel],
            "status": [None, allegation.status],
            "categories": [None, sorted(record.category_codes)],
            "people": [None, len(record.people)],
            "prea": [None, allegation.prea],
            "use_of_force": [None, allegation.use_of_force],
        }
        if allegation.source_reference:
            changes["source_reference"] = [None, allegation.source_reference]
        line = {"file": record.file, "line": record.line} if record.line else {}
        events.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                actor=actor,
                actor_username=actor_username,
                object_type=label,
                object_id=str(allegation.pk),
                object_repr=f"{allegation.number}: {allegation.summary}",
                changes=changes,
                detail={**(detail or {}), **line},
            )
        )
    return events


@dataclass(frozen=True)
class Clock:
    """A deadline to start on one allegation (and, when already done, when it was met)."""

    allegation: Allegation
    rule: str
    title: str
    started_at: dt.datetime
    owner_id: int | None = None
    met_at: dt.datetime | None = None


def start_clocks(
    clocks: Sequence[Clock], *, actor: Any, actor_username: str
) -> tuple[list[Deadline], list[audit.EventSpec]]:
    """Bulk `start_deadline`: Deadline rows due as each rule says, one create event each
    (and a transition event for a clock already met)."""
    if not clocks:
        return [], []
    rules = {rule.code: rule for rule in DeadlineRule.objects.filter(code__in={c.rule for c in clocks})}
    missing = sorted({c.rule for c in clocks} - set(rules))
    if missing:
        raise RuntimeError(f"deadline rule(s) {', '.join(missing)} are not seeded; run migrate")
    allegation_type = ContentType.objects.get_for_model(Allegation)
    rows = [
        Deadline(
            rule=rules[clock.rule],
            title=clock.title[:200],
            content_type=allegation_type,
            object_id=clock.allegation.pk,
            started_at=clock.started_at,
            due_at=due_at(rules[clock.rule], clock.started_at),
            met_at=clock.met_at,
            owner_id=clock.owner_id,
            office_id=clock.allegation.office_id,
        )
        for clock in clocks
    ]
    Deadline.objects.bulk_create(rows, batch_size=ALLEGATION_BATCH)
    label = audit.label_of(Deadline)
    events: list[audit.EventSpec] = []
    for row, clock in zip(rows, clocks, strict=True):
        rule = rules[clock.rule]
        events.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                actor=actor,
                actor_username=actor_username,
                object_type=label,
                object_id=str(row.pk),
                object_repr=str(row),
                changes={
                    "rule": [None, rule.code],
                    "record": [None, f"{audit.label_of(Allegation)}:{clock.allegation.pk}"],
                    "title": [None, row.title],
                    "started_at": [None, row.started_at],
                    "due_at": [None, row.due_at],
                    "office": [None, clock.allegation.office_id],
                },
                detail={"amount": rule.amount, "unit": rule.unit},
            )
        )
        if row.met_at is not None:
            events.append(
                audit.EventSpec(
                    action=AuditAction.TRANSITION,
                    actor=actor,
                    actor_username=actor_username,
                    object_type=label,
                    object_id=str(row.pk),
                    object_repr=str(row),
                    changes={"met_at": [None, row.met_at]},
                    detail={"rule": rule.code, "late": row.met_at > row.due_at},
                )
            )
    return rows, events


def recording_clocks(allegations: Sequence[Allegation]) -> list[Clock]:
    """The clocks record_allegation starts: triage for every received allegation that is new
    work (not a historical import), and the PREA clocks for a PREA-flagged one."""
    clocks = []
    for allegation in allegations:
        if allegation.channel == Channel.IMPORT or allegation.status != AllegationStatus.RECEIVED:
            continue
        clocks.append(
            Clock(allegation, TRIAGE_RULE, f"Triage and route {allegation.number}", allegation.received_at)
        )
        if allegation.prea:
            clocks.extend(
                Clock(allegation, rule, f"{title} ({allegation.number})", allegation.received_at)
                for rule, title in PREA_CLOCKS.items()
            )
    return clocks
