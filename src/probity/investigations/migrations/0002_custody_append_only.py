"""Make the chain of custody append-only in the database itself (as the audit trail).

PostgreSQL refuses UPDATE and DELETE on custody transfers; SQLite refuses UPDATE (Django's
test flush needs DELETE there). The model refuses both whatever the database.
"""

from typing import Any

from django.db import migrations

PG_INSTALL = """
CREATE OR REPLACE FUNCTION investigations_custody_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the chain of custody is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS investigations_custody_append_only ON investigations_custodytransfer;
CREATE TRIGGER investigations_custody_append_only BEFORE UPDATE OR DELETE ON investigations_custodytransfer
    FOR EACH ROW EXECUTE FUNCTION investigations_custody_refuse_change();
"""
PG_REMOVE = """
DROP TRIGGER IF EXISTS investigations_custody_append_only ON investigations_custodytransfer;
DROP FUNCTION IF EXISTS investigations_custody_refuse_change();
"""
SQLITE_INSTALL = """
CREATE TRIGGER IF NOT EXISTS investigations_custody_append_only
BEFORE UPDATE ON investigations_custodytransfer
BEGIN SELECT RAISE(ABORT, 'the chain of custody is append-only'); END;
"""
SQLITE_REMOVE = "DROP TRIGGER IF EXISTS investigations_custody_append_only;"


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL}.get(vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql) if vendor == "postgresql" else cursor.executescript(sql)


def remove(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE}.get(vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("investigations", "0001_cases")]
    operations = [migrations.RunPython(install, remove)]
