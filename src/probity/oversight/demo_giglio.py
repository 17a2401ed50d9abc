"""The giglio part of `probity seed-demo`: prosecutors' requests in each state of their answer.

Through the real services, as the `giglio` demo login: one request about an employee that
investigations' demo marked for Giglio, compiled and released with the information; one about
an employee with nothing on record, released with a "no information" letter; one compiled and
awaiting approval, due in two business days (with a judicial finding recorded on its employee);
one received fifteen business days ago and overdue. The services stamp "now"; the open requests' receipt
and clocks are then moved back so that their due dates fall where described. Deterministic for
the data the earlier demo parts wrote (employees are chosen by employee number).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils import timezone

from probity.core import demo
from probity.core.deadlines import agency_time_zone, due_at
from probity.core.models import Deadline, Employee, EmployeeStatus, User
from probity.investigations.models import CaseParty, CaseStatus, GiglioMark, PartyRole
from probity.lib.business_days import add_business_days, is_business_day
from probity.oversight.models import GiglioRequest
from probity.oversight.queries_giglio import RESPONSE_RULE, withheld_case_ids
from probity.oversight.services import giglio

PROSECUTORS = (
    ("U.S. Attorney's Office, District of Arizona", "AUSA Maria Delgado"),
    ("U.S. Attorney's Office, Southern District of California", "AUSA James Whitfield"),
    ("U.S. Attorney's Office, Western District of Texas", "AUSA Priya Raman"),
    ("Pima County Attorney's Office", "Deputy County Attorney Leon Marsh"),
)
CASES = (
    "United States v. Alvarez-Ortiz, 4:27-cr-01123",
    "United States v. Chen, 3:27-cr-00457",
    "United States v. Ibarra, 2:27-cr-00981",
    "State v. Romero, CR2027-004411",
)


def _business_day_back(today: dt.date, days: int) -> dt.date:
    """The business day from which `today` is `days` federal business days later (or fewer)."""
    day = today
    while add_business_days(day, days) > today or not is_business_day(day):
        day -= dt.timedelta(days=1)
    return day


def _backdate(request: GiglioRequest, received: dt.datetime) -> None:
    """Move the request's receipt and its response clock back to `received`."""
    GiglioRequest.objects.filter(pk=request.pk).update(received_at=received)
    clocks = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(GiglioRequest),
        object_id=request.pk,
        rule__code=RESPONSE_RULE,
    ).select_related("rule")
    for clock in clocks:
        Deadline.objects.filter(pk=clock.pk).update(started_at=received, due_at=due_at(clock.rule, received))
    request.refresh_from_db()


def _marked_employee(official: User) -> Employee | None:
    """The first employee (by number) with a Giglio mark whose cases the official may read."""
    marked = Employee.objects.filter(Exists(GiglioMark.objects.filter(employee=OuterRef("pk"))))
    for employee in marked.order_by("employee_number")[:50]:
        case_ids = set(GiglioMark.objects.filter(employee=employee).values_list("case_id", flat=True))
        if not withheld_case_ids(official, case_ids):
            return employee
    return None


def _clean_employees(official: User) -> list[Employee]:
    """Active law-enforcement employees with nothing on record, by number."""
    subject_of = CaseParty.objects.filter(employee=OuterRef("pk"), role=PartyRole.SUBJECT)
    return list(
        Employee.objects.filter(law_enforcement=True, status=EmployeeStatus.ACTIVE)
        .exclude(Exists(GiglioMark.objects.filter(employee=OuterRef("pk"))))
        .exclude(Exists(subject_of))
        .exclude(pk=official.employee_id or 0)
        .defer("date_of_birth")
        .order_by("employee_number")[:3]
    )


def _pending_subject() -> Employee | None:
    """An employee who is the subject of an open case (their request shows it as pending)."""
    party = (
        CaseParty.objects.filter(
            role=PartyRole.SUBJECT, employee__isnull=False, case__compartment__isnull=True
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("employee")
        .order_by("employee__employee_number")
        .first()
    )
    return party.employee if party is not None else None


def load_giglio(loaded: demo.LoadedDemo) -> str:
    official = loaded.logins.get("giglio")
    if official is None:
        return "no Giglio requests (no giglio login)"
    now = timezone.now()
    today = now.astimezone(agency_time_zone()).date()
    clean = _clean_employees(official)
    marked = _marked_employee(official)
    with_information = marked or _pending_subject() or (clean[2] if len(clean) > 2 else None)
    overdue_subject = _pending_subject() or (clean[1] if len(clean) > 1 else None)
    due_soon_subject = clean[1] if len(clean) > 1 else None
    plan = [
        ("released", with_information),
        ("no-information", clean[0] if clean else None),
        ("due-soon", due_soon_subject),
        ("overdue", overdue_subject),
    ]
    made: list[str] = []
    for n, (kind, employee) in enumerate(plan):
        if employee is None:
            continue
        office, requester = PROSECUTORS[n % len(PROSECUTORS)]
        request = giglio.receive_request(
            actor=official,
            prosecutor_office=office,
            requesting_official=requester,
            prosecutor_case=CASES[n % len(CASES)],
            employee=employee,
            needed_by=today + dt.timedelta(days=21),
        )
        if kind in {"released", "no-information"}:
            _backdate(request, now - dt.timedelta(days=6))
            giglio.compile_request(actor=official, request=request)
            giglio.approve_and_release(actor=official, request=request)
        elif kind == "due-soon":
            giglio.record_judicial_finding(
                actor=official,
                employee=employee,
                court="U.S. District Court, District of Arizona",
                case_reference="4:25-cr-00871, order on motion to suppress",
                found_on=today - dt.timedelta(days=200),
                finding="The court found the officer's testimony about the consent to search not credible.",
            )
            received = dt.datetime.combine(
                _business_day_back(today, 8), dt.time(10, 30), tzinfo=agency_time_zone()
            )
            _backdate(request, received)
            giglio.compile_request(actor=official, request=request)
        else:
            received = dt.datetime.combine(
                today - dt.timedelta(days=21), dt.time(9, 0), tzinfo=agency_time_zone()
            )
            _backdate(request, received)
            GiglioRequest.objects.filter(pk=request.pk).update(needed_by=today - dt.timedelta(days=2))
        made.append(kind)
    return f"{len(made)} Giglio requests ({', '.join(made)})"
