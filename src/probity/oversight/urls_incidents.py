"""Oversight URLs: the incidents part (owned with views/incidents.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
