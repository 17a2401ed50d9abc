"""The README's settings table names every environment variable the settings read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_environment_setting_is_documented_in_the_readme() -> None:
    settings_text = (ROOT / "src" / "probity" / "settings.py").read_text()
    read = set(
        re.findall(
            r"""(?:environ\.get|_env_bool|_env_list|_env_int)\(\s*["'](PROBITY_[A-Z_]+)["']""", settings_text
        )
    )
    assert "PROBITY_SECRET_KEY" in read  # the pattern finds what settings.py reads
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `(PROBITY_[A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert sorted(read - documented) == []
