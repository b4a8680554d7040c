from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "daiban.notifications"
    label = "notifications"
    verbose_name = "通知"
