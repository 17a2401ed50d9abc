"""Staff intake views."""
