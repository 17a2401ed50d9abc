"""Oversight URLs: the deaths part (owned with views/deaths.py)."""

from django.urls import URLPattern, path

from probity.oversight.views import deaths

urlpatterns: list[URLPattern] = [
    path("deaths/", deaths.death_list, name="death-list"),
    path("deaths/new", deaths.death_record, name="death-record"),
    path("deaths/dcra", deaths.dcra_export, name="death-dcra"),
    path("deaths/<int:pk>/", deaths.death_detail, name="death-detail"),
    path("deaths/<int:pk>/clocks/<slug:step>", deaths.death_step, name="death-step"),
    path("deaths/<int:pk>/reviewer", deaths.death_reviewer, name="death-reviewer"),
    path("deaths/<int:pk>/review", deaths.death_review, name="death-review"),
    path("deaths/<int:pk>/review/complete", deaths.death_review_complete, name="death-review-complete"),
    path("deaths/<int:pk>/review/report", deaths.death_review_report, name="death-review-report"),
]
