"""Investigations URLs under /investigations/: one module per part of the work."""

from probity.investigations import urls_cases, urls_findings, urls_outcomes, urls_work

urlpatterns = [
    *urls_cases.urlpatterns,
    *urls_work.urlpatterns,
    *urls_findings.urlpatterns,
    *urls_outcomes.urlpatterns,
]
