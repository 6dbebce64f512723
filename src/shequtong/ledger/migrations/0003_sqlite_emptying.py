"""On SQLite, a DELETE on the ledger's tables is refused unless the whole database is being
emptied (`shequtong.ledger.emptying`): PostgreSQL's TRUNCATE, which its row triggers do not
see, is the same allowance there. Every other rule of 0002 stands."""

from django.db import migrations

REPLACED = {
    "ledger_posting_kept": ("ledger_posting", "a posting is never deleted"),
    "ledger_transaction_kept": ("ledger_transaction", "a transaction is never deleted"),
}


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, (table, message) in REPLACED.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE DELETE ON {table} WHEN ledger_emptying() = 0 "
            f"BEGIN SELECT RAISE(ABORT, 'ledger: {message}'); END"
        )


def _backward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, (table, message) in REPLACED.items():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'ledger: {message}'); END"
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_ledger_rules_in_the_database")]

    operations = [migrations.RunPython(_forward, _backward)]
