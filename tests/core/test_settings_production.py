"""Production mode refuses missing or development secrets and passes Django's deploy checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from probity.settings import DEV_FIELD_KEY, DEV_SECRET_KEY

PROJECT_DIR = Path(__file__).resolve().parents[2]


def run_django(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`django-admin ARGS` in a fresh interpreter with only the given PROBITY_* settings."""
    clean = {
        name: value for name, value in os.environ.items() if not name.startswith(("PROBITY_", "DJANGO_"))
    }
    clean |= {"DJANGO_SETTINGS_MODULE": "probity.settings", "PROBITY_VAR_DIR": str(tmp_path)}
    clean |= env
    return subprocess.run(  # noqa: S603 - our own interpreter with fixed arguments
        [sys.executable, "-m", "django", *args],
        cwd=PROJECT_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def production_env() -> dict[str, str]:
    return {
        "PROBITY_MODE": "production",
        "PROBITY_SECRET_KEY": secrets.token_urlsafe(64),
        "PROBITY_FIELD_KEYS": Fernet.generate_key().decode(),
        "PROBITY_ALLOWED_HOSTS": "probity.example.gov",
    }


def test_production_without_a_secret_key_refuses_to_start(
    tmp_path: Path, production_env: dict[str, str]
) -> None:
    del production_env["PROBITY_SECRET_KEY"]

    result = run_django(tmp_path, "check", **production_env)

    assert result.returncode != 0
    assert "PROBITY_SECRET_KEY" in result.stderr


def test_production_refuses_the_public_development_secret_key(
    tmp_path: Path, production_env: dict[str, str]
) -> None:
    production_env["PROBITY_SECRET_KEY"] = DEV_SECRET_KEY

    result = run_django(tmp_path, "check", **production_env)

    assert result.returncode != 0
    assert "PROBITY_SECRET_KEY" in result.stderr


def test_production_refuses_the_public_development_field_key(
    tmp_path: Path, production_env: dict[str, str]
) -> None:
    production_env["PROBITY_FIELD_KEYS"] = f"{Fernet.generate_key().decode()},{DEV_FIELD_KEY}"

    result = run_django(tmp_path, "check", **production_env)

    assert result.returncode != 0
    assert "PROBITY_FIELD_KEYS" in result.stderr


def test_production_without_field_keys_refuses_to_start(
    tmp_path: Path, production_env: dict[str, str]
) -> None:
    del production_env["PROBITY_FIELD_KEYS"]

    result = run_django(tmp_path, "check", **production_env)

    assert result.returncode != 0
    assert "PROBITY_FIELD_KEYS" in result.stderr


def test_production_with_real_secrets_passes_the_deploy_checks_without_warnings(
    tmp_path: Path, production_env: dict[str, str]
) -> None:
    result = run_django(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production_env)

    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    assert "System check identified no issues" in result.stdout
