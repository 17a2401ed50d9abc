"""Investigations: cases, investigative work, evidence custody, findings, reports and discipline."""
