"""Oversight URLs: the giglio part (owned with views/giglio.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
