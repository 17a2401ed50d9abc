"""The audit chain exposes any altered, removed or reordered event, and `probity audit verify` says so."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from probity.core import audit
from probity.core.audit import GENESIS_HASH
from probity.core.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome

pytestmark = pytest.mark.django_db


def record_events(count: int) -> list[AuditEvent]:
    return [
        audit.record(AuditAction.VIEW, object_type="tests.thing", object_id=str(n), detail={"n": n})
        for n in range(1, count + 1)
    ]


def as_dba(sql: str, params: tuple[Any, ...] = ()) -> None:
    """Change the table behind the application's back, the way a database administrator could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only")
        cursor.execute(sql, params)


def run_verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", "--no-progress", stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_each_event_holds_the_hash_of_the_one_before() -> None:
    events = record_events(3)

    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (3, events[2].hash)
    result = audit.verify()
    assert result.ok
    assert result.checked == 3


def test_an_altered_event_is_named() -> None:
    events = record_events(4)
    as_dba("UPDATE core_auditevent SET object_repr = %s WHERE seq = %s", ("nothing to see", 2))

    result = audit.verify()

    assert not result.ok
    assert (result.first_bad_seq, result.first_bad_id) == (2, events[1].pk)
    assert "altered" in result.reason
    assert result.checked == 1


def test_an_altered_detail_is_named_even_when_the_hash_column_is_untouched() -> None:
    events = record_events(3)
    as_dba("UPDATE core_auditevent SET outcome = %s WHERE seq = %s", (AuditOutcome.DENIED, 3))

    result = audit.verify()

    assert (result.ok, result.first_bad_seq, result.first_bad_id) == (False, 3, events[2].pk)


def test_a_removed_middle_event_is_named_by_the_gap_it_leaves() -> None:
    events = record_events(5)
    as_dba("DELETE FROM core_auditevent WHERE seq = %s", (3,))

    result = audit.verify()

    assert not result.ok
    assert (result.first_bad_seq, result.first_bad_id) == (4, events[3].pk)
    assert "from 2 to 4" in result.reason
    assert "removed" in result.reason


def test_removing_the_newest_events_is_caught_by_the_chain_head() -> None:
    record_events(5)
    as_dba("DELETE FROM core_auditevent WHERE seq >= %s", (4,))

    result = audit.verify()

    assert not result.ok
    assert result.checked == 3
    assert result.first_bad_seq == 4
    assert "newest were removed" in result.reason


def test_swapping_two_events_is_caught() -> None:
    events = record_events(4)
    # seq is unique, so the swap goes through a spare number, as a careful DBA's would.
    as_dba("UPDATE core_auditevent SET seq = %s WHERE seq = %s", (1_000_000, 2))
    as_dba("UPDATE core_auditevent SET seq = %s WHERE seq = %s", (2, 3))
    as_dba("UPDATE core_auditevent SET seq = %s WHERE seq = %s", (3, 1_000_000))

    result = audit.verify()

    assert not result.ok
    assert (result.first_bad_seq, result.first_bad_id) == (2, events[2].pk)
    assert "reordered" in result.reason


def test_events_appended_while_verifying_are_not_mistaken_for_tampering() -> None:
    audit.record_many([audit.EventSpec(action=AuditAction.VIEW, object_id=str(n)) for n in range(1000)])
    appended: list[AuditEvent] = []

    def a_user_acts_meanwhile(done: int, total: int) -> None:
        if not appended:
            appended.append(audit.record(AuditAction.LOGIN))

    result = audit.verify(progress=a_user_acts_meanwhile)

    assert appended
    assert result.ok, result.reason
    assert (result.checked, result.head_seq) == (1000, 1000)
    assert audit.verify().checked == 1001


def test_a_removed_chain_head_is_tampering() -> None:
    record_events(2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditchainhead")

    result = audit.verify()
    status, output = run_verify()

    assert not result.ok
    assert "chain head is missing" in result.reason
    assert status == 1
    assert output.strip() == "TAMPERED: chain head: the chain head is missing but 2 events exist"


def test_the_database_refuses_an_orm_update_of_an_event() -> None:
    record_events(2)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(object_repr="rewritten")

    assert AuditEvent.objects.get(seq=1).object_repr == ""
    assert audit.verify().ok


def test_deleting_an_event_is_refused_on_postgresql_and_exposed_by_the_chain_on_sqlite() -> None:
    record_events(3)

    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(seq=2).delete()
        assert AuditEvent.objects.count() == 3
        assert audit.verify().ok
    else:
        # SQLite's trigger allows DELETE (Django's test flush needs it); the chain is the guard.
        AuditEvent.objects.filter(seq=2).delete()
        result = audit.verify()
        assert (result.ok, result.first_bad_seq) == (False, 3)


def test_verify_command_reports_an_intact_chain_and_exits_zero() -> None:
    events = record_events(3)

    status, output = run_verify()

    assert status == 0
    assert output.strip() == f"OK: 3 events, head #3 {events[-1].hash}"


def test_verify_command_records_its_check_after_verifying() -> None:
    record_events(3)

    run_verify()

    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.seq, event.action, event.outcome) == (4, AuditAction.VERIFY, AuditOutcome.SUCCESS)
    assert event.detail["checked"] == 3
    assert event.detail["channel"] == "cli"
    # The new event extends the chain it reported on, so the next check sees it intact too.
    status, output = run_verify()
    assert status == 0
    assert output.startswith("OK: 4 events, head #4 ")


def test_verify_command_names_the_tampered_event_and_exits_one() -> None:
    events = record_events(3)
    as_dba("UPDATE core_auditevent SET actor_username = %s WHERE seq = %s", ("someone-else", 2))

    status, output = run_verify()

    assert status == 1
    assert output.strip() == (
        f"TAMPERED: event #2 (id {events[1].pk}): its content does not match its hash: the event was altered"
    )
    failure = AuditEvent.objects.order_by("-seq").first()
    assert failure is not None
    assert (failure.action, failure.outcome, failure.detail["first_bad_seq"]) == (
        AuditAction.VERIFY,
        AuditOutcome.FAILURE,
        2,
    )


def test_verify_command_exits_one_when_the_newest_events_were_removed() -> None:
    record_events(4)
    as_dba("DELETE FROM core_auditevent WHERE seq = %s", (4,))

    status, output = run_verify()

    assert status == 1
    assert output.startswith("TAMPERED: event #4 (id missing): the chain head records 4 events but 3 remain")


def test_verify_command_shows_a_progress_bar_on_stderr_for_a_large_chain(
    capsys: pytest.CaptureFixture[str],
) -> None:
    audit.record_many([audit.EventSpec(action=AuditAction.VIEW, object_id=str(n)) for n in range(2500)])

    call_command("audit", "verify", stdout=io.StringIO())

    assert "Verifying" in capsys.readouterr().err


def test_verify_command_keeps_stderr_quiet_for_a_small_chain(capsys: pytest.CaptureFixture[str]) -> None:
    record_events(3)

    call_command("audit", "verify", stdout=io.StringIO())

    assert capsys.readouterr().err == ""


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_or_break_the_chain() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip(
            "SQLite's shared-cache in-memory test database answers concurrent writers with "
            "'table is locked' instead of queueing them as a file database does; set "
            "DATABASES['default']['TEST']['NAME'] to a file in tests/settings.py to run this test"
        )
    threads_count, per_thread = 8, 25
    start = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                audit.record(AuditAction.VIEW, object_type="tests.thing", object_id=f"{worker}-{n}")
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads_count * per_thread + 1))
    assert len(set(AuditEvent.objects.values_list("object_id", flat=True))) == threads_count * per_thread
    result = audit.verify()
    assert result.ok
    assert result.checked == threads_count * per_thread


def test_events_appended_in_a_transaction_that_rolls_back_leave_the_chain_as_it_was() -> None:
    kept = record_events(1)[0]

    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record_many([audit.EventSpec(action=AuditAction.VIEW, object_id=str(n)) for n in range(3)])
        raise RuntimeError("the caller's work failed after appending")
    after = audit.record(AuditAction.VIEW, object_type="tests.thing", object_id="after")

    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2]
    assert after.prev_hash == kept.hash
    assert audit.verify().ok
