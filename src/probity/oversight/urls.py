"""Oversight staff URLs under /oversight/: one module per program."""

from probity.oversight import urls_deaths, urls_giglio, urls_incidents, urls_prea

urlpatterns = [
    *urls_incidents.urlpatterns,
    *urls_deaths.urlpatterns,
    *urls_prea.urlpatterns,
    *urls_giglio.urlpatterns,
]
