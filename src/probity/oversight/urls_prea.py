"""Oversight URLs: the prea part (owned with views/prea.py): tracks, their steps, the report."""

from django.urls import URLPattern, path

from probity.oversight.views import prea

urlpatterns: list[URLPattern] = [
    path("prea/", prea.track_list, name="prea-track-list"),
    path("prea/open", prea.open_track_view, name="prea-track-open"),
    path("prea/<int:pk>/", prea.track_detail, name="prea-track-detail"),
    path("prea/<int:pk>/notification-file", prea.notification_file_view, name="prea-notification-file"),
    path("prea/<int:pk>/<slug:step>", prea.step_view, name="prea-track-step"),
    path("prea/report/", prea.staff_report, name="prea-report-staff-latest"),
    path("prea/report/<int:year>/", prea.staff_report, name="prea-report-staff"),
]
