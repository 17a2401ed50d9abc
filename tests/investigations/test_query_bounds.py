"""The case page and the case list cost the same number of SQL queries whatever the number of
parties, activities, evidence items (and every other row their sections show)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from probity.core.models import Employee, FileAttachment, StoredFile, User
from probity.intake.models import AllegationCategory
from probity.investigations.models import (
    Activity,
    ActivityKind,
    Case,
    CaseAllegation,
    CaseEvent,
    CaseMember,
    CaseParty,
    ChecklistItem,
    CustodyTransfer,
    DisciplineAction,
    DisposalKind,
    DisposalRequest,
    DouglasAssessment,
    EvidenceItem,
    EvidenceKind,
    FactorWeight,
    Finding,
    FindingOutcome,
    Interview,
    MemberRole,
    PartyRole,
    PartyRoleChange,
    PlanStep,
    ProsecutionReferral,
    ProsecutorKind,
    ReportVersion,
    ReviewAnswer,
    ReviewOutcome,
    SufficiencyReview,
    Warning,
)
from tests.conftest import Org, make_employee
from tests.investigations.conftest import MakeCase, Team

pytestmark = pytest.mark.django_db

# Fixed ceilings, so that a per-row query added later cannot hide behind "equal at 1 and 30".
CASE_PAGE_MAX_QUERIES = 60
CASE_LIST_MAX_QUERIES = 25


def _stored_file(label: str, user: User, now: dt.datetime) -> StoredFile:
    digest = hashlib.sha256(label.encode()).hexdigest()
    return StoredFile.objects.create(
        sha256=digest,
        size=10,
        content_type="application/pdf",
        storage_name=digest,
        created_at=now,
        created_by=user,
    )


def fill(case: Case, n: int, team: Team, org: Org) -> None:
    """Give the case `n` of every kind of row its page shows (written directly: only the
    shape matters here, the services are tested elsewhere)."""
    now = timezone.now()
    tag = f"{case.pk}-{n}"
    agent = team.agent
    categories = list(AllegationCategory.objects.filter(active=True).order_by("pk")[:1])
    case.lead_agent = agent
    case.supervisor = team.supervisor
    case.save(update_fields=["lead_agent", "supervisor"])
    for i in range(n):
        member = User.objects.create(username=f"member-{tag}-{i}", first_name="Member", last_name=str(i))
        CaseMember.objects.create(
            case=case, user=member, role=MemberRole.TEAM, assigned_at=now, assigned_by=agent
        )
        employee: Employee = make_employee(f"Q{tag}-{i}", "Extra", f"Subject{i}", org.nogales_port)
        party = CaseParty.objects.create(
            case=case,
            role=PartyRole.SUBJECT,
            employee=employee,
            contact=f"extra{i}@example.org",
            added_at=now,
        )
        PartyRoleChange.objects.create(
            party=party, to_role=PartyRole.SUBJECT, reason="named", at=now, by=agent
        )
        allegation = CaseAllegation.objects.create(
            case=case, subject=party, category=categories[0], added_at=now
        )
        item = EvidenceItem.objects.create(
            case=case,
            number=f"E-{i + 1:03d}",
            description=f"Item {i}",
            kind=EvidenceKind.DIGITAL,
            source="Seizure",
            collected_by=agent,
            collected_at=now,
            storage_location="Locker 1",
            file=_stored_file(f"evidence-{tag}-{i}", agent, now),
            sha256=hashlib.sha256(f"evidence-{tag}-{i}".encode()).hexdigest(),
            custodian="Evidence room",
            created_at=now,
        )
        for sequence in (1, 2):
            CustodyTransfer.objects.create(
                item=item,
                sequence=sequence,
                from_custodian="A",
                to_custodian="B",
                purpose="Analysis",
                condition="Sealed",
                transferred_at=now,
                recorded_at=now,
                recorded_by=agent,
            )
        DisposalRequest.objects.create(
            item=item, kind=DisposalKind.RELEASE, reason="Owner", requested_at=now, requested_by=agent
        )
        finding = Finding.objects.create(
            allegation=allegation,
            outcome=FindingOutcome.NOT_SUSTAINED,
            rationale="Not enough",
            recorded_at=now,
            recorded_by=agent,
            updated_at=now,
        )
        finding.evidence.add(item)
        PlanStep.objects.create(
            case=case, description=f"Step {i}", owner=agent, due_date=now.date(), created_at=now
        )
        activity = Activity.objects.create(
            case=case,
            kind=ActivityKind.INTERVIEW,
            occurred_on=now.date(),
            performed_by=agent,
            summary=f"Activity {i}",
            created_at=now,
            created_by=agent,
        )
        Interview.objects.create(
            activity=activity,
            interviewee=party,
            interviewee_role=party.role,
            started_at=now,
            place="Office",
            participants="Agent",
            warning=Warning.KALKINES,
            warning_form=_stored_file(f"form-{tag}-{i}", agent, now),
            summary="Said nothing",
        )
        FileAttachment.objects.create(
            file=_stored_file(f"attachment-{tag}-{i}", agent, now),
            content_type=ContentType.objects.get_for_model(Activity),
            object_id=activity.pk,
            filename=f"notes-{i}.pdf",
            attached_at=now,
            attached_by=agent,
        )
        review = SufficiencyReview.objects.create(
            case=case,
            round=i + 1,
            submitted_at=now,
            submitted_by=agent,
            reviewer=team.supervisor,
            decided_at=now,
            outcome=ReviewOutcome.RETURNED,
            comments="More",
        )
        for checklist_item in ChecklistItem.objects.all():
            ReviewAnswer.objects.create(review=review, item=checklist_item, met=True)
        ReportVersion.objects.create(
            case=case,
            version=i + 1,
            draft=True,
            pdf=_stored_file(f"pdf-{tag}-{i}", agent, now),
            docx=_stored_file(f"docx-{tag}-{i}", agent, now),
            generated_at=now,
            generated_by=agent,
        )
        ProsecutionReferral.objects.create(
            case=case,
            subject=party,
            prosecutor_kind=ProsecutorKind.US_ATTORNEY,
            prosecutor_office="USAO Arizona",
            presented_on=now.date(),
            created_at=now,
            created_by=agent,
        )
        action = DisciplineAction.objects.create(
            case=case,
            employee=employee,
            office=org.nogales_port,
            referred_at=now,
            referred_by=agent,
            updated_at=now,
        )
        action.allegations.add(allegation)
        DouglasAssessment.objects.create(
            action=action, factor=1, weight=FactorWeight.NEUTRAL, explanation="x"
        )
        CaseEvent.objects.create(case=case, kind="note", to_value=f"note {i}", at=now, by=agent)


def _queries(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured.captured_queries), [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def two_cases(make_case: MakeCase, team: Team, org: Org) -> tuple[Case, Case]:
    small, large = make_case(), make_case(summary="Another report")
    fill(small, 1, team, org)
    fill(large, 30, team, org)
    return small, large


@pytest.mark.parametrize("viewer", ["supervisor", "agent"])
def test_the_case_page_costs_the_same_queries_with_one_or_thirty_of_every_row(
    two_cases: tuple[Case, Case], team: Team, viewer: str
) -> None:
    small, large = two_cases
    client = Client()
    client.force_login(getattr(team, viewer))
    client.get(f"/investigations/cases/{small.pk}/")  # warm caches (content types, sessions)

    few, _ = _queries(client, f"/investigations/cases/{small.pk}/")
    many, statements = _queries(client, f"/investigations/cases/{large.pk}/")

    assert many == few, "\n".join(statements)
    assert many <= CASE_PAGE_MAX_QUERIES


def test_the_case_page_shows_the_rows_it_was_counted_with(two_cases: tuple[Case, Case], team: Team) -> None:
    _, large = two_cases
    client = Client()
    client.force_login(team.supervisor)

    content = client.get(f"/investigations/cases/{large.pk}/").content.decode()

    assert "Subject29, Extra" in content
    assert "extra29@example.org" in content  # contacts decrypted for those who work the case


@pytest.mark.parametrize("viewer", ["supervisor", "agent"])
def test_the_case_list_costs_the_same_queries_with_one_or_thirty_of_every_row(
    make_case: MakeCase, team: Team, org: Org, viewer: str
) -> None:
    first = make_case()
    fill(first, 1, team, org)
    client = Client()
    client.force_login(getattr(team, viewer))
    client.get("/investigations/cases/")
    few, _ = _queries(client, "/investigations/cases/")

    for _ in range(3):
        fill(make_case(summary="More"), 30, team, org)
    many, statements = _queries(client, "/investigations/cases/")

    assert many == few, "\n".join(statements)
    assert many <= CASE_LIST_MAX_QUERIES


def test_the_caseload_costs_the_same_queries_with_one_or_many_cases(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    client = Client()
    client.force_login(team.supervisor)
    fill(make_case(), 1, team, org)
    client.get("/investigations/caseload/")
    few, _ = _queries(client, "/investigations/caseload/")

    for _ in range(3):
        fill(make_case(summary="More"), 5, team, org)
    many, statements = _queries(client, "/investigations/caseload/")

    assert many == few, "\n".join(statements)
