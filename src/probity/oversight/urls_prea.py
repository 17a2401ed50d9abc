"""Oversight URLs: the prea part (owned with views/prea.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
