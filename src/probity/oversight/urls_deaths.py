"""Oversight URLs: the deaths part (owned with views/deaths.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
