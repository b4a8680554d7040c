from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "daiban.accounts"
    verbose_name = "账号安全"

    def ready(self) -> None:
        from daiban.accounts import signals  # noqa: F401  (connects the receivers)
