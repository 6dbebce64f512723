from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "shequtong.ledger"
    label = "ledger"
    verbose_name = "账本"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from shequtong.core.audit_labels import register_action_labels

        from .emptying import register

        connection_created.connect(register, dispatch_uid="ledger_emptying")

        register_action_labels({"ledger.reverse": "冲正"})
