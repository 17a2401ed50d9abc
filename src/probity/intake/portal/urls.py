"""Public portal URLs under /report/: no sign-in; kept apart from the staff pages."""

from django.urls import path
from django.views.i18n import set_language

from probity.intake.portal import views

urlpatterns = [
    path("", views.start, name="portal-start"),
    path("new/<slug:slug>", views.step, name="portal-step"),
    path("receipt", views.receipt, name="portal-receipt"),
    path("status", views.status, name="portal-status"),
    path("status/report", views.status_report, name="portal-status-report"),
    # Django's own view: stores the choice in the language cookie and returns to `next`.
    path("language", set_language, name="portal-language"),
]
