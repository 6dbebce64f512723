from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "shequtong.ledger"
    label = "ledger"
    verbose_name = "账本"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels

        register_action_labels({"ledger.reverse": "冲正"})
