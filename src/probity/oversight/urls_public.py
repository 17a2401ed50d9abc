"""Public transparency pages under /transparency/ (no login): the annual PREA report."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
