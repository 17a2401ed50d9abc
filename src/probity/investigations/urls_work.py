"""Investigations URLs: the work part (owned with views/work.py): plan, activities, interviews,
evidence and custody, each under its case."""

from django.urls import URLPattern, path

from probity.investigations.views import work

urlpatterns: list[URLPattern] = [
    # the plan
    path("cases/<int:pk>/plan/add", work.add_step_view, name="case-plan-add"),
    path("cases/<int:pk>/plan/<int:step_pk>/done", work.complete_step_view, name="case-plan-done"),
    # the activity log and interviews
    path("cases/<int:pk>/activities/add", work.log_activity_view, name="case-activity-add"),
    path(
        "cases/<int:pk>/activities/files/<int:attachment_pk>",
        work.activity_file_view,
        name="case-activity-file",
    ),
    path("cases/<int:pk>/interviews/add", work.record_interview_view, name="case-interview-add"),
    path(
        "cases/<int:pk>/interviews/<int:interview_pk>/<str:which>",
        work.interview_file_view,
        name="case-interview-file",
    ),
    # evidence and its chain of custody
    path("cases/<int:pk>/evidence/add", work.add_evidence_view, name="case-evidence-add"),
    path("cases/<int:pk>/evidence/custody-report", work.custody_report_view, name="case-custody-report"),
    path("cases/<int:pk>/evidence/<int:item_pk>/file", work.evidence_file_view, name="case-evidence-file"),
    path("cases/<int:pk>/evidence/<int:item_pk>/verify", work.verify_view, name="case-evidence-verify"),
    path("cases/<int:pk>/evidence/<int:item_pk>/transfer", work.transfer_view, name="case-evidence-transfer"),
    path(
        "cases/<int:pk>/evidence/<int:item_pk>/disposal",
        work.request_disposal_view,
        name="case-evidence-disposal",
    ),
    path(
        "cases/<int:pk>/evidence/<int:item_pk>/custody-report",
        work.custody_report_view,
        name="case-evidence-custody-report",
    ),
    path(
        "cases/<int:pk>/disposals/<int:request_pk>/decide",
        work.decide_disposal_view,
        name="case-disposal-decide",
    ),
]
