"""Core services: every state change in core goes through one of these functions."""
