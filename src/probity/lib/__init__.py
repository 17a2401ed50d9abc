"""Django-free helpers (business-day arithmetic, hashing, text similarity) with their own tests."""
