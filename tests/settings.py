"""Test settings: the real settings plus a small test-only app that exercises the access policy."""

import os
import tempfile
from pathlib import Path

from probity.settings import *  # noqa: F403
from probity.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.policyapp"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]

# Tests run with DEBUG off, which would make WhiteNoise index STATIC_ROOT at start-up and warn
# when `collectstatic` has not run; in autorefresh mode it finds files per request, as in development.
WHITENOISE_AUTOREFRESH = True

# SQLite tests use a file, not shared-cache memory: concurrent writers then queue on the lock as
# they do in `make run` (memory answers "table is locked"). One file per test process, so that
# runs side by side in one tree never share it; Django deletes it at the end of the run.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"probity-test-{os.getpid()}.sqlite3")
    }
