"""Investigations URLs: the findings part (owned with views/findings.py)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
