"""Oversight programs: critical incidents and use of force, the review board, deaths in custody,
PREA and Giglio/Henthorn requests."""
