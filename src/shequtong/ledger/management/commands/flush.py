"""Django's `flush`, run inside `ledger.emptying()`: emptying the whole database is the one
DELETE the ledger's SQLite triggers allow (PostgreSQL's flush is a TRUNCATE they never see)."""

from typing import Any

from django.core.management.commands import flush

from shequtong.ledger.emptying import emptying


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with emptying():
            super().handle(**options)
