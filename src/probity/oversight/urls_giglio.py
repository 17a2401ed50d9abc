"""Oversight URLs: the giglio part (owned with views/giglio.py)."""

from django.urls import URLPattern, path

from probity.oversight.views import giglio

urlpatterns: list[URLPattern] = [
    path("giglio/", giglio.request_list, name="giglio-request-list"),
    path("giglio/new", giglio.request_new, name="giglio-request-new"),
    path("giglio/judicial-findings/new", giglio.judicial_finding_new, name="giglio-judicial-finding-new"),
    path("giglio/<int:pk>/", giglio.request_detail, name="giglio-request-detail"),
    path("giglio/<int:pk>/compile", giglio.compile_view, name="giglio-request-compile"),
    path("giglio/<int:pk>/items", giglio.include_view, name="giglio-request-items"),
    path("giglio/<int:pk>/release", giglio.release_view, name="giglio-request-release"),
    path("giglio/<int:pk>/withdraw", giglio.withdraw_view, name="giglio-request-withdraw"),
    path("giglio/<int:pk>/letter", giglio.letter_download, name="giglio-request-letter"),
]
