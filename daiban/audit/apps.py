from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "daiban.audit"
    verbose_name = "安全审计"

    def ready(self) -> None:
        from daiban.audit import signals  # noqa: F401  (connects the receivers)
