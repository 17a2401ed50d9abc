"""Where investigations plugs into the rest: intake's routing hook, roles, panels, demo, imports.

Called once from `InvestigationsConfig.ready()`.
"""

from __future__ import annotations


def connect() -> None:
    from probity.intake import hooks
    from probity.investigations import demo, panels, panels_outcomes, roles
    from probity.investigations.services.opening import TYPE_OF_OUTCOME, on_routed

    roles.grant_permissions()
    demo.connect()
    panels.register()
    panels_outcomes.register()
    for outcome in TYPE_OF_OUTCOME:
        hooks.register_routing(outcome, on_routed)
