"""Test settings: the real settings plus a small test-only app that exercises the access policy."""

from probity.settings import *  # noqa: F403
from probity.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.policyapp"]
# Argon2 is kept on purpose only for the login tests; fast hashing elsewhere is not worth a
# different code path, so the test suite uses the production hasher list unchanged.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
