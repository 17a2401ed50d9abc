"""Template filters of the investigations screens."""
