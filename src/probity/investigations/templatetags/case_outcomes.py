"""The case page's outcomes section: its forms and rows, built from what the page has loaded."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def case_outcomes(context: template.Context, page: Any) -> dict[str, Any]:
    """`{% case_outcomes page as outcomes %}`: referrals, discipline and the forms this user may
    use; a refused form comes back through `outcomes_bound` with its messages and typed input."""
    from probity.investigations.views.outcomes import outcomes_section

    user = context.get("user") or context["request"].user
    return outcomes_section(user, page, context.get("outcomes_bound"))
