"""The `probity` command: Django's manage.py with Probity's own verbs.

`probity seed-demo` runs the `seed_demo` management command; `probity worker` runs the
background task worker.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"worker": ["db_worker"]}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "probity.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        verb = args[1]
        args[1:2] = ALIASES.get(verb, [verb.replace("-", "_")] if not verb.startswith("-") else [verb])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
