"""Intake services: every change to an allegation goes through one of these functions."""
