"""Investigations URLs: the findings part (owned with views/findings.py)."""

from django.urls import URLPattern, path

from probity.investigations.views import findings

urlpatterns: list[URLPattern] = [
    path(
        "cases/<int:pk>/allegations/<int:allegation_id>/finding",
        findings.finding_view,
        name="case-finding",
    ),
    path("cases/<int:pk>/review/submit", findings.submit_review_view, name="case-review-submit"),
    path("cases/<int:pk>/review", findings.review_view, name="case-review"),
    path("cases/<int:pk>/reports/generate", findings.generate_report_view, name="case-report-generate"),
    path(
        "cases/<int:pk>/reports/<int:version>/<str:fmt>",
        findings.report_download,
        name="case-report-download",
    ),
]
