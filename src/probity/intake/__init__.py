"""Intake: every allegation from every channel, triage, OIG referral, routing, duplicates."""
