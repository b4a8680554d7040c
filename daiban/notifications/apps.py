from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "daiban.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self) -> None:
        from daiban.notifications import aftercare, consumers, workflow_consumers  # noqa: F401  (registers what follows each event)
