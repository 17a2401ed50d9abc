"""Staff intake URLs (the Joint Intake Center's queue and allegation pages)."""

from django.urls import path

from probity.intake.views import allegations, duplicates, queue

urlpatterns = [
    # the queue
    path("", queue.queue, name="intake-queue"),
    path("assign", queue.bulk_assign, name="intake-assign"),
    # recording
    path("new/", allegations.allegation_new, name="allegation-new"),
    path("new/person", allegations.person_row, name="allegation-person-row"),
    path("new/employees", allegations.employee_picker, name="allegation-employee-picker"),
    # one allegation and its actions
    path("allegations/<int:pk>/", allegations.allegation_detail, name="allegation-detail"),
    path("allegations/<int:pk>/triage", allegations.triage_view, name="allegation-triage"),
    path("allegations/<int:pk>/refer", allegations.refer_view, name="allegation-refer"),
    path("allegations/<int:pk>/oig-answer", allegations.oig_answer_view, name="allegation-oig-answer"),
    path("allegations/<int:pk>/route", allegations.route_view, name="allegation-route"),
    path(
        "allegations/<int:pk>/approve-closure",
        allegations.approve_closure_view,
        name="allegation-approve-closure",
    ),
    path(
        "allegations/<int:pk>/reject-closure",
        allegations.reject_closure_view,
        name="allegation-reject-closure",
    ),
    path("allegations/<int:pk>/assign", allegations.assign_view, name="allegation-assign"),
    # duplicates
    path(
        "allegations/<int:pk>/suggestions/<int:suggestion_id>/link",
        duplicates.link,
        name="allegation-link",
    ),
    path(
        "allegations/<int:pk>/suggestions/<int:suggestion_id>/dismiss",
        duplicates.dismiss,
        name="allegation-dismiss",
    ),
]
