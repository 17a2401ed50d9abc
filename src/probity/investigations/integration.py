"""Where investigations plugs into the rest: intake's routing hook, roles, panels, demo, imports.

Called once from `InvestigationsConfig.ready()`.
"""

from __future__ import annotations


def connect() -> None:
    from probity.intake import hooks
    from probity.investigations import roles
    from probity.investigations.services.opening import TYPE_OF_OUTCOME, on_routed

    roles.grant_permissions()
    for outcome in TYPE_OF_OUTCOME:
        hooks.register_routing(outcome, on_routed)
