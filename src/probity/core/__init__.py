"""Core: organisation, people, users and roles, access policy, audit, deadlines, files."""
