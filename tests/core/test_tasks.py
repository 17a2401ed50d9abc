"""Background tasks report progress to a page only their requester sees; the worker runs them."""

from __future__ import annotations

import io
import re
import signal
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from probity.cli import main as probity_main
from probity.core import audit
from probity.core.models import AuditAction, AuditEvent, AuditOutcome, TaskProgress
from probity.core.tasks import report_progress, start_audit_verification, start_progress, verify_audit_chain
from tests.conftest import Personas

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def auditor_client(client: Client, personas: Personas) -> Client:
    client.force_login(personas.auditor)
    return client


def test_starting_a_verification_records_progress_and_the_result(
    personas: Personas, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    events_before = AuditEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        progress = start_audit_verification(actor=personas.auditor)

    progress.refresh_from_db()
    assert progress.requested_by == personas.auditor
    assert progress.finished_at is not None
    assert not progress.failed
    assert (progress.done, progress.total, progress.percent) == (events_before, events_before, 100)
    assert progress.result["ok"] is True
    assert progress.result["checked"] == events_before
    assert progress.message.startswith(f"OK: {events_before} events, head #{events_before} ")
    verify_event = AuditEvent.objects.order_by("-seq").first()
    assert verify_event is not None
    assert (verify_event.action, verify_event.actor_id, verify_event.outcome) == (
        AuditAction.VERIFY,
        personas.auditor.pk,
        AuditOutcome.SUCCESS,
    )
    assert verify_event.detail["checked"] == events_before


def test_a_verification_of_a_tampered_chain_stores_the_first_bad_event(
    personas: Personas, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only")
        cursor.execute("UPDATE core_auditevent SET object_repr = 'x' WHERE seq = 2")

    with django_capture_on_commit_callbacks(execute=True):
        progress = start_audit_verification(actor=personas.auditor)

    progress.refresh_from_db()
    assert progress.finished_at is not None
    assert not progress.failed
    assert progress.result["ok"] is False
    assert progress.result["first_bad_seq"] == 2
    assert progress.message.startswith("TAMPERED: event #2 ")
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    assert (last.action, last.outcome) == (AuditAction.VERIFY, AuditOutcome.FAILURE)


def test_only_auditors_may_start_a_verification(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        start_audit_verification(actor=personas.admin)

    assert not TaskProgress.objects.exists()


def test_a_failing_check_marks_the_progress_failed(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    def broken(progress: Any = None) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(audit, "verify", broken)
    with django_capture_on_commit_callbacks(execute=True):
        progress = start_audit_verification(actor=personas.auditor)

    progress.refresh_from_db()
    assert progress.failed
    assert progress.finished_at is not None
    assert progress.result == {"error": "RuntimeError"}
    assert "disk on fire" not in progress.message  # internals stay in the logs, not on the page
    assert not AuditEvent.objects.filter(action=AuditAction.VERIFY).exists()


def test_report_progress_updates_counts_and_creates_a_row_for_an_unknown_task(db: None) -> None:
    report_progress("abc123", 3, 12, "Checked 3 of 12")

    progress = TaskProgress.objects.get(task_id="abc123")
    assert (progress.done, progress.total, progress.percent, progress.message) == (
        3,
        12,
        25,
        "Checked 3 of 12",
    )

    report_progress("abc123", 12, 12, "Checked 12 of 12")
    progress.refresh_from_db()
    assert progress.percent == 100
    assert TaskProgress.objects.count() == 1


def test_the_progress_page_shows_a_labelled_progress_bar_that_polls(
    auditor_client: Client, personas: Personas
) -> None:
    progress = start_progress(name="Verify the audit chain", requested_by=personas.auditor)
    report_progress(progress.task_id, 250, 1000, "Checked 250 of 1,000 events")

    response = auditor_client.get(reverse("task-progress", args=[progress.task_id]))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<label[^>]*\sfor="task-progress-bar"', html)
    progress_bar = re.search(r'<progress[^>]*\sid="task-progress-bar"[^>]*>', html)
    assert progress_bar is not None
    assert 'value="25"' in progress_bar.group(0)
    assert 'hx-trigger="every 1s"' in html
    assert f'hx-get="{reverse("task-status", args=[progress.task_id])}"' in html
    assert "Checked 250 of 1,000 events" in html


def test_the_status_partial_shows_the_percent_and_stops_polling_when_finished(
    auditor_client: Client, personas: Personas, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    running = start_progress(name="Verify the audit chain", requested_by=personas.auditor)
    report_progress(running.task_id, 40, 160, "Checked 40 of 160 events")

    partial = auditor_client.get(reverse("task-status", args=[running.task_id]))

    assert partial.status_code == 200
    assert b"Progress: 25%" in partial.content
    assert b'hx-trigger="every 1s"' in partial.content
    assert b"<html" not in partial.content

    with django_capture_on_commit_callbacks(execute=True):
        finished = start_audit_verification(actor=personas.auditor)
    done = auditor_client.get(reverse("task-status", args=[finished.task_id]))

    assert b"Progress: 100%" in done.content
    assert b"hx-trigger" not in done.content
    assert b"OK: " in done.content


def test_another_user_gets_404_for_someone_elses_task(client: Client, personas: Personas) -> None:
    progress = start_progress(name="Verify the audit chain", requested_by=personas.auditor)
    report_progress(progress.task_id, 1, 2, "secret progress message")
    client.force_login(personas.admin)

    page = client.get(reverse("task-progress", args=[progress.task_id]))
    partial = client.get(reverse("task-status", args=[progress.task_id]))

    assert (page.status_code, partial.status_code) == (404, 404)
    assert b"secret progress message" not in page.content + partial.content


def test_a_signed_out_visitor_is_sent_to_sign_in(client: Client, personas: Personas) -> None:
    progress = start_progress(name="Verify the audit chain", requested_by=personas.auditor)

    response = client.get(reverse("task-progress", args=[progress.task_id]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_task_is_404(auditor_client: Client) -> None:
    assert auditor_client.get(reverse("task-progress", args=["no-such-task"])).status_code == 404


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_signals")
def test_the_database_worker_runs_a_queued_verification(personas: Personas) -> None:
    with override_settings(TASKS=DATABASE_TASKS):
        progress = start_audit_verification(actor=personas.auditor)
        queued = DBTaskResult.objects.get()
        assert queued.status == "READY"
        progress.refresh_from_db()
        assert progress.finished_at is None  # nothing runs until a worker picks it up

        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=io.StringIO()
        )

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    progress.refresh_from_db()
    assert progress.finished_at is not None
    assert progress.result["ok"] is True
    assert AuditEvent.objects.filter(action=AuditAction.VERIFY, actor_id=personas.auditor.pk).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_signals")
def test_a_task_enqueued_without_a_progress_row_reports_under_its_own_id() -> None:
    with override_settings(TASKS=DATABASE_TASKS):
        result = verify_audit_chain.enqueue()
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0, stdout=io.StringIO()
        )

    progress = TaskProgress.objects.get(task_id=str(result.id))
    assert progress.finished_at is not None
    assert progress.result["ok"] is True


def test_probity_worker_is_the_database_worker(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        probity_main(["probity", "worker", "--help"])

    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "Run a database background worker" in out
    assert "--batch" in out
