"""Public transparency pages under /transparency/ (no login): the annual PREA report."""

from django.urls import URLPattern, path

from probity.oversight.views import prea

urlpatterns: list[URLPattern] = [
    path("prea/", prea.public_index, name="transparency-prea"),
    path("prea/<int:year>/", prea.public_report, name="transparency-prea-report"),
]
