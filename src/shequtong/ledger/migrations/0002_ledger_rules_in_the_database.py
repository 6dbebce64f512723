"""The ledger's rules, kept by the database itself, on SQLite and PostgreSQL alike: a
transaction is sealed only when its postings (two at least) sum to zero; postings go only to an
open transaction; a posting is never updated or deleted, nor a sealed transaction changed or
any transaction deleted. Python checks all of it first; these stop whatever gets past Python."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER ledger_posting_frozen BEFORE UPDATE ON ledger_posting
       BEGIN SELECT RAISE(ABORT, 'ledger: a posting is never changed'); END""",
    """CREATE TRIGGER ledger_posting_kept BEFORE DELETE ON ledger_posting
       BEGIN SELECT RAISE(ABORT, 'ledger: a posting is never deleted'); END""",
    """CREATE TRIGGER ledger_posting_open_only BEFORE INSERT ON ledger_posting
       WHEN (SELECT sealed FROM ledger_transaction WHERE id = NEW.transaction_id)
       BEGIN SELECT RAISE(ABORT, 'ledger: the transaction is sealed'); END""",
    """CREATE TRIGGER ledger_transaction_sealed_frozen BEFORE UPDATE ON ledger_transaction
       WHEN OLD.sealed
       BEGIN SELECT RAISE(ABORT, 'ledger: a sealed transaction is never changed'); END""",
    """CREATE TRIGGER ledger_transaction_balanced BEFORE UPDATE ON ledger_transaction
       WHEN NEW.sealed AND (
         (SELECT COALESCE(SUM(amount), 0) FROM ledger_posting WHERE transaction_id = NEW.id) <> 0
         OR (SELECT COUNT(*) FROM ledger_posting WHERE transaction_id = NEW.id) < 2)
       BEGIN SELECT RAISE(ABORT, 'ledger: the postings do not sum to zero'); END""",
    """CREATE TRIGGER ledger_transaction_kept BEFORE DELETE ON ledger_transaction
       BEGIN SELECT RAISE(ABORT, 'ledger: a transaction is never deleted'); END""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "ledger_posting_frozen",
        "ledger_posting_kept",
        "ledger_posting_open_only",
        "ledger_transaction_sealed_frozen",
        "ledger_transaction_balanced",
        "ledger_transaction_kept",
    )
]

POSTGRESQL = [
    """CREATE FUNCTION ledger_posting_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP <> 'INSERT' THEN
           RAISE EXCEPTION 'ledger: a posting is never changed or deleted';
         END IF;
         IF (SELECT sealed FROM ledger_transaction WHERE id = NEW.transaction_id) THEN
           RAISE EXCEPTION 'ledger: the transaction is sealed';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_posting_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_posting
       FOR EACH ROW EXECUTE FUNCTION ledger_posting_guard()""",
    """CREATE FUNCTION ledger_transaction_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'ledger: a transaction is never deleted';
         END IF;
         IF OLD.sealed THEN
           RAISE EXCEPTION 'ledger: a sealed transaction is never changed';
         END IF;
         IF NEW.sealed AND (
           (SELECT COALESCE(SUM(amount), 0) FROM ledger_posting WHERE transaction_id = NEW.id) <> 0
           OR (SELECT COUNT(*) FROM ledger_posting WHERE transaction_id = NEW.id) < 2) THEN
           RAISE EXCEPTION 'ledger: the postings do not sum to zero';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE TRIGGER ledger_transaction_guard BEFORE UPDATE OR DELETE ON ledger_transaction
       FOR EACH ROW EXECUTE FUNCTION ledger_transaction_guard()""",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_posting_guard ON ledger_posting",
    "DROP TRIGGER IF EXISTS ledger_transaction_guard ON ledger_transaction",
    "DROP FUNCTION IF EXISTS ledger_posting_guard()",
    "DROP FUNCTION IF EXISTS ledger_transaction_guard()",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN}),
        )
    ]
