"""Investigations URLs: the cases part (owned with views/cases.py)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
