"""Make the audit table append-only in the database itself.

PostgreSQL refuses UPDATE and DELETE on audit events; SQLite refuses UPDATE (Django's test
flush needs DELETE there). Whatever slips past, the hash chain still exposes.
"""

from django.db import migrations

PG_INSTALL = """
CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change();
"""
PG_REMOVE = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_refuse_change();
"""
SQLITE_INSTALL = """
CREATE TRIGGER IF NOT EXISTS core_auditevent_append_only BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_REMOVE = "DROP TRIGGER IF EXISTS core_auditevent_append_only;"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL}.get(vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql) if vendor == "postgresql" else cursor.executescript(sql)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE}.get(vendor)
    if sql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
