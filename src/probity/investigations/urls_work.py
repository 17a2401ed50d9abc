"""Investigations URLs: the work part (owned with views/work.py)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
