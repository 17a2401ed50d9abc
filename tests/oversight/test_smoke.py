"""The oversight fixtures work together (a case and the program's people in one test)."""

from __future__ import annotations

import pytest

from probity.core import access
from probity.oversight.models import CriticalIncident
from tests.investigations.conftest import MakeCase
from tests.oversight.conftest import Overseers

pytestmark = pytest.mark.django_db


def test_a_program_manager_sees_no_incident_before_any_is_reported(
    overseers: Overseers, make_case: MakeCase
) -> None:
    make_case()
    assert not access.visible(overseers.program_manager, CriticalIncident.objects.all()).exists()
    assert overseers.program_manager.roles == {"program_manager"}
