"""Core reads: querysets already filtered by the access policy and joined for their templates."""
