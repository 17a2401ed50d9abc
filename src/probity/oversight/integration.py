"""Where oversight plugs into the rest: roles, hooks into intake and investigations, panels, demo,
imports. Called once from `OversightConfig.ready()`; each part has its own `connect()`."""

from __future__ import annotations


def connect() -> None:
    from probity.oversight import parts, roles

    roles.grant_permissions()
    for part in parts.PARTS:
        part.connect()
