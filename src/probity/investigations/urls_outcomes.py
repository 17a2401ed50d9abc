"""Investigations URLs: the outcomes part (owned with views/outcomes.py)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
