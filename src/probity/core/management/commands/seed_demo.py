"""`probity seed-demo`: fill an empty database with a synthetic agency and one login per role."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from probity.core import context, demo
from probity.core.models import Employee, OrgUnit, Role, User
from probity.core.services.people import agency_today


class Command(BaseCommand):
    help = (
        "Fill an empty database with a synthetic CBP-like agency: its org tree, about 6,000 people "
        "at scale 1 (same seed, same people) and one demo login per role. Development only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="workforce size, 1 = about 6,000 people")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed; the same seed gives the same agency"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (and succeed) if the database has an org tree"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "seed-demo refuses to run in production mode: it would mix synthetic people into real "
                "records",
                returncode=2,
            )
        scale, seed = options["scale"], options["seed"]
        if not 0 < scale <= demo.MAX_SCALE:
            raise CommandError(f"--scale must be above 0 and at most {demo.MAX_SCALE:g}", returncode=2)
        if OrgUnit.objects.exists() or Employee.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already has an organisation; no demo data was added.")
                self._print_logins(existing_only=True)
                return
            raise CommandError(
                "the database already has an organisation or employees; seed-demo only fills an empty "
                "database (use --if-empty to skip quietly)",
                returncode=2,
            )
        started = time.perf_counter()
        plan = demo.plan_demo(scale=scale, seed=seed, today=agency_today())
        password, _ = demo.demo_password()
        try:
            with context.acting(channel="cli"):
                result = demo.load_demo(plan, password=password)
        except ValidationError as exc:
            raise CommandError(
                f"demo logins could not be made: {'; '.join(exc.messages)}", returncode=2
            ) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo agency loaded in {seconds:.1f} s: {result.units} org units, "
                f"{result.employees} people, {result.assignments} assignments (scale {scale:g}, seed {seed})."
            )
        )
        for line in result.extensions:
            self.stdout.write(f"  {line}")
        self._print_logins()

    def _print_logins(self, *, existing_only: bool = False) -> None:
        usernames = [login.username for login in demo.DEMO_LOGINS]
        users = {
            u.username: u for u in User.objects.filter(username__in=usernames).select_related("office_scope")
        }
        if existing_only and not users:
            return
        password, source = demo.demo_password(create=not existing_only)
        self.stdout.write("")
        self.stdout.write("Demo logins")
        self.stdout.write(f"  {'user name':<16} {'role':<26} office scope")
        for login in demo.DEMO_LOGINS:
            user = users.get(login.username)
            if user is None:
                continue
            scope = user.office_scope.name if user.office_scope else "agency-wide"
            note = " (linked to a directory record: recusal)" if user.employee_id else ""
            self.stdout.write(f"  {login.username:<16} {Role(login.role).label:<26} {scope}{note}")
        if source == "PROBITY_DEMO_PASSWORD":
            self.stdout.write("  password for all: the value of PROBITY_DEMO_PASSWORD")
        elif password:
            self.stdout.write(f"  password for all: {password}")
            self.stdout.write(f"  (kept in {source})")
        else:
            self.stdout.write("  password: the one set when this database was seeded (its file is gone)")
