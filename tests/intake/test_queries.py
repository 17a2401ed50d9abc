"""Reading allegations: the queue's filters and sorting, the counts, one allegation, and above
all that nobody sees what the access policy denies (recusal included)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.http import Http404, QueryDict
from django.test import Client
from django.utils import timezone

from probity.core.models import AuditEvent
from probity.core.services.tokens import create_token
from probity.intake.models import (
    Allegation,
    AllegationStatus,
    Channel,
    DuplicateSuggestion,
    OigAnswer,
    PersonRole,
    Seriousness,
)
from probity.intake.queries import (
    AgeBucket,
    QueueFilters,
    QueueSort,
    allegation_queue,
    get_allegation_for,
    queue_counts,
)
from probity.intake.services import triage
from probity.intake.services.record import PersonInput
from tests.conftest import Org
from tests.intake.conftest import MakeAllegation, Staff, assign_record, bring_to

S = AllegationStatus
NOW = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def numbers(rows: Any) -> list[str]:
    return [allegation.number for allegation in rows]


def queue(user: Any, query: str = "") -> list[str]:
    return numbers(allegation_queue(user, filters=QueueFilters.from_query(QueryDict(query))))


# Parsing the filters


def test_filters_are_read_from_a_query_string() -> None:
    filters = QueueFilters.from_query(
        QueryDict(
            "status=triaged&status=oig_pending,received&channel=phone&category=sexual-abuse&office=7"
            "&age=over_30&prea=true&use_of_force=0&assigned=me&q=++cash++taken+&sort=seriousness"
        )
    )
    assert filters == QueueFilters(
        statuses=("triaged", "oig_pending", "received"),
        channel="phone",
        category="sexual-abuse",
        office_id=7,
        age=AgeBucket.OVER_30,
        prea=True,
        use_of_force=False,
        assigned="me",
        q="cash taken",
        sort=QueueSort.SERIOUSNESS,
    )
    assert filters.messages == ()


@pytest.mark.parametrize(
    "query",
    [
        "status=nonsense&channel=pigeon&category=%3Cscript%3E&office=abc&age=forever&prea=maybe"
        "&use_of_force=2&assigned=everyone&sort=random",
        "office=-1&assigned=1.5&status=,,&prea=&q=" + "x" * 500,
        "office=99999999999999999999999&category=" + "a" * 80,
        "status=%00&channel=%ff&q=%00%01",
    ],
)
def test_bad_filter_values_are_ignored_with_a_message_and_never_raise(query: str) -> None:
    filters = QueueFilters.from_query(QueryDict(query))
    assert filters.statuses == ()
    assert (filters.channel, filters.category, filters.age, filters.assigned) == ("", "", "", "")
    assert filters.office_id is None
    assert (filters.prea, filters.use_of_force) == (None, None)
    assert filters.sort == QueueSort.OLDEST
    assert len(filters.q) <= 100
    assert filters.messages


def test_a_plain_mapping_parses_like_a_query_string() -> None:
    filters = QueueFilters.from_query({"status": ["received", "bogus"], "prea": "yes"})
    assert filters.statuses == ("received",)
    assert filters.prea is True
    assert filters.messages == ("Ignored the unknown status 'bogus'.",)


# The queue


def test_the_queue_filters_by_status_channel_category_flags_and_text(
    staff: Staff, make_allegation: MakeAllegation, categories: dict[str, Any]
) -> None:
    phone = make_allegation(summary="Cash taken at the port", category_codes=["theft-embezzlement"])
    email = make_allegation(channel=Channel.EMAIL, summary="Rude officer", category_codes=["discourtesy"])
    prea = make_allegation(summary="Detainee abuse", category_codes=["sexual-abuse"])
    force = make_allegation(summary="Baton strike", category_codes=["excessive-force"])
    triage.triage(actor=staff.intake, allegation=email, seriousness=Seriousness.MINOR_ADMINISTRATIVE)

    assert queue(staff.intake, "status=triaged") == [email.number]
    assert set(queue(staff.intake, "status=received")) == {phone.number, prea.number, force.number}
    assert queue(staff.intake, "channel=email") == [email.number]
    assert queue(staff.intake, "category=theft-embezzlement") == [phone.number]
    assert queue(staff.intake, "prea=true") == [prea.number]
    assert queue(staff.intake, "use_of_force=yes") == [force.number]
    assert set(queue(staff.intake, "use_of_force=false")) == {phone.number, email.number, prea.number}
    assert queue(staff.intake, "q=CASH+port") == [phone.number]
    assert queue(staff.intake, f"q={email.number}") == [email.number]


def test_the_office_filter_takes_the_office_and_everything_below_it(
    staff: Staff, make_allegation: MakeAllegation, org: Org
) -> None:
    port = make_allegation(office_id=org.nogales_port.pk)
    tucson = make_allegation(office_id=org.tucson.pk)
    el_paso = make_allegation(office_id=org.el_paso.pk)

    assert queue(staff.intake, f"office={org.tucson.pk}") == [port.number, tucson.number]
    assert queue(staff.intake, f"office={org.el_paso.pk}") == [el_paso.number]
    assert queue(staff.intake, "office=987654") == []


def test_the_age_filter_counts_days_since_receipt(
    frozen: time_machine.Traveller, staff: Staff, make_allegation: MakeAllegation
) -> None:
    fresh = make_allegation(received_at=NOW - dt.timedelta(days=2))
    weeks = make_allegation(received_at=NOW - dt.timedelta(days=20))
    month = make_allegation(received_at=NOW - dt.timedelta(days=45))
    ancient = make_allegation(received_at=NOW - dt.timedelta(days=200))

    assert queue(staff.intake, "age=under_7") == [fresh.number]
    assert queue(staff.intake, "age=7_to_30") == [weeks.number]
    assert queue(staff.intake, "age=over_30") == [ancient.number, month.number]
    assert queue(staff.intake, "age=over_90") == [ancient.number]


def test_the_assignee_filter_knows_me_unassigned_and_a_user(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    mine, other = make_allegation(), make_allegation()
    triage.assign(actor=staff.supervisor, allegations=[mine], assignee=staff.intake)

    assert queue(staff.intake, "assigned=me") == [mine.number]
    assert queue(staff.intake, "assigned=unassigned") == [other.number]
    assert queue(staff.supervisor, f"assigned={staff.intake.pk}") == [mine.number]


def test_the_queue_sorts_by_age_or_with_criminal_allegations_first(
    frozen: time_machine.Traveller, staff: Staff, make_allegation: MakeAllegation
) -> None:
    oldest = make_allegation(received_at=NOW - dt.timedelta(days=9))
    minor = make_allegation(received_at=NOW - dt.timedelta(days=5))
    criminal = make_allegation(received_at=NOW - dt.timedelta(days=1))
    untriaged = make_allegation(received_at=NOW - dt.timedelta(days=3))
    triage.triage(actor=staff.intake, allegation=oldest, seriousness=Seriousness.SERIOUS_ADMINISTRATIVE)
    triage.triage(actor=staff.intake, allegation=minor, seriousness=Seriousness.MINOR_ADMINISTRATIVE)
    triage.triage(actor=staff.intake, allegation=criminal, seriousness=Seriousness.CRIMINAL)

    everyone = [oldest.number, minor.number, untriaged.number, criminal.number]
    assert queue(staff.intake) == everyone
    assert queue(staff.intake, "sort=newest") == everyone[::-1]
    assert queue(staff.intake, "sort=seriousness") == [
        criminal.number,
        oldest.number,
        minor.number,
        untriaged.number,
    ]


def test_the_queue_costs_the_same_few_queries_however_long_it_is(
    staff: Staff,
    make_allegation: MakeAllegation,
    categories: dict[str, Any],
    django_assert_num_queries: Any,
) -> None:
    def load() -> list[Any]:
        rows: list[Any] = list(
            allegation_queue(staff.intake, filters=QueueFilters(sort=QueueSort.SERIOUSNESS))
        )
        for row in rows:
            _ = (row.office.name, row.assigned_to, [c.code for c in row.categories.all()], row.subjects)
            _ = [person.employee.full_name for person in row.subjects if person.employee]
        return rows

    make_allegation(category_codes=["smuggling"], subjects=(staff.recused_employee,))
    load()  # the user's roles are read once and cached
    # The allegations, then their categories, then their subjects with their directory entries.
    with django_assert_num_queries(3):
        assert len(load()) == 1

    for _ in range(6):
        make_allegation(
            category_codes=["smuggling", "misuse-of-position"], subjects=(staff.recused_employee,)
        )
    triage.assign(actor=staff.intake, allegations=Allegation.objects.all(), assignee=staff.intake)
    with django_assert_num_queries(3):
        assert len(load()) == 7


# The counts


def test_the_counts_come_from_one_query(
    staff: Staff, make_allegation: MakeAllegation, django_assert_num_queries: Any
) -> None:
    bring_to(make_allegation(), S.TRIAGED, staff)
    bring_to(make_allegation(), S.OIG_PENDING, staff)
    make_allegation()
    triage.assign(
        actor=staff.intake, allegations=Allegation.objects.filter(status=S.TRIAGED), assignee=staff.intake
    )
    queue_counts(staff.intake)

    with django_assert_num_queries(1):
        counts = queue_counts(staff.intake)

    assert counts["total"] == 3
    assert counts["open"] == 3
    assert counts["unassigned"] == 2
    assert counts["overdue_oig"] == 0
    assert counts["by_status"] == {
        "received": 1,
        "triaged": 1,
        "oig_pending": 1,
        "oig_accepted": 0,
        "closure_pending": 0,
        "routed": 0,
        "closed": 0,
    }


def test_counts_leave_out_what_the_user_may_not_see(staff: Staff, make_allegation: MakeAllegation) -> None:
    make_allegation(subjects=(staff.recused_intake_employee,))
    make_allegation()
    assert queue_counts(staff.intake)["total"] == 2
    assert queue_counts(staff.recused_intake)["total"] == 1
    assert queue_counts(staff.agent)["total"] == 0


# One allegation


def test_one_allegation_comes_with_its_people_referrals_and_a_view_event(
    staff: Staff, make_allegation: MakeAllegation, django_assert_max_num_queries: Any
) -> None:
    allegation = bring_to(
        make_allegation(people=[PersonInput(role=PersonRole.WITNESS, name="A. Witness")]),
        S.OIG_PENDING,
        staff,
    )
    triage.record_oig_answer(actor=staff.intake, allegation=allegation, answer=OigAnswer.DECLINED)

    found = get_allegation_for(staff.intake, allegation.pk)

    with django_assert_max_num_queries(0):
        assert [p.name for p in found.people.all()] == ["A. Witness"]
        assert [r.answer for r in found.oig_referrals.all()] == [OigAnswer.DECLINED]
        deadline = found.oig_referrals.all()[0].deadline
        assert deadline is not None
        assert deadline.met_at is not None
        assert list(found.suggestions.all()) == []
    view = AuditEvent.objects.filter(action="view", object_type="intake.allegation").get()
    assert (view.actor_id, view.object_id) == (staff.intake.pk, str(allegation.pk))


@pytest.mark.parametrize("pk", [0, 10**9, "abc", None])
def test_a_missing_allegation_is_a_404(staff: Staff, pk: Any) -> None:
    with pytest.raises(Http404):
        get_allegation_for(staff.intake, pk)
    assert not AuditEvent.objects.filter(action="view").exists()


def test_a_suggested_duplicate_the_user_may_not_see_is_left_out(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    shown = make_allegation()
    visible_twin = make_allegation()
    hidden_twin = make_allegation(subjects=(staff.recused_intake_employee,))
    for candidate, score in ((visible_twin, 0.9), (hidden_twin, 0.95)):
        DuplicateSuggestion.objects.create(
            allegation=shown,
            candidate=candidate,
            score=score,
            reasons=["same place"],
            method="test",
            created_at=timezone.now(),
        )

    assert [s.candidate for s in get_allegation_for(staff.intake, shown.pk).suggestions.all()] == [
        hidden_twin,
        visible_twin,
    ]
    assert [s.candidate for s in get_allegation_for(staff.recused_intake, shown.pk).suggestions.all()] == [
        visible_twin
    ]


# The access policy, through the queue, one allegation and the API


def test_the_recused_persona_never_sees_an_allegation_naming_its_employee(
    staff: Staff, make_allegation: MakeAllegation, client: Client
) -> None:
    naming = make_allegation(subjects=(staff.recused_employee,), summary="Named the recused employee")
    as_witness = make_allegation(
        people=[PersonInput(role=PersonRole.WITNESS, employee_id=staff.recused_employee.pk)],
        summary="Witness",
    )
    unrelated = make_allegation(summary="Unrelated")
    for allegation in (naming, as_witness, unrelated):
        assign_record(staff.recused_agent, allegation)  # even when assigned
    token = create_token(actor=None, user=staff.recused_agent, name="t")[1]
    auth = {"Authorization": f"Bearer {token}"}

    assert queue(staff.recused_agent) == [unrelated.number]
    assert queue_counts(staff.recused_agent)["total"] == 1
    listed = client.get("/api/v1/allegations?q=Named", headers=auth).json()
    assert listed["count"] == 0
    for hidden in (naming, as_witness):
        with pytest.raises(Http404):
            get_allegation_for(staff.recused_agent, hidden.pk)
        response = client.get(f"/api/v1/allegations/{hidden.pk}", headers=auth)
        assert response.status_code == 404
        assert hidden.number not in response.content.decode()
    assert client.get(f"/api/v1/allegations/{unrelated.pk}", headers=auth).status_code == 200


def test_an_intake_specialist_named_in_an_allegation_does_not_see_it(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    naming = make_allegation(
        people=[PersonInput(role=PersonRole.COMPLAINANT, employee_id=staff.recused_intake_employee.pk)]
    )
    other = make_allegation()
    assert queue(staff.recused_intake) == [other.number]
    assert naming.number in queue(staff.intake)


def test_an_agent_with_no_assignment_sees_no_allegation(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    make_allegation()
    make_allegation()
    assert queue(staff.agent) == []
    assert queue(staff.outsider) == []
    seen = make_allegation()
    assign_record(staff.agent, seen)
    assert queue(staff.agent) == [seen.number]


def test_a_supervisor_sees_only_their_office_subtree(
    staff: Staff, make_allegation: MakeAllegation, org: Org
) -> None:
    from probity.core.models import Role
    from probity.core.services.users import create_user

    el_paso_boss = create_user(
        actor=None, username="elp", password="x" * 20, roles=[Role.SUPERVISOR], office_scope=org.el_paso
    )
    make_allegation(office_id=org.nogales_port.pk)
    el_paso = make_allegation(office_id=org.el_paso.pk)
    unplaced = make_allegation(office_id=None)

    assert queue(el_paso_boss) == [el_paso.number]
    assert len(queue(staff.supervisor)) == 2  # OPR's subtree; an allegation with no office is intake's
    assert unplaced.number in queue(staff.intake)
