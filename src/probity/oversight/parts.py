"""The oversight parts; each module has a `connect()` that registers its panels, hooks, imports
and demo data (owned by the engineer of that part)."""

from __future__ import annotations

from probity.oversight import connect_deaths, connect_giglio, connect_imports, connect_incidents, connect_prea

PARTS = (connect_incidents, connect_deaths, connect_prea, connect_giglio, connect_imports)
