from django.apps import AppConfig

LIBRARY_APP_NAMES = {
    "axes": "登录失败锁定", "django_tasks": "后台任务", "django_tasks_database": "后台任务（数据库）",
    "django_otp": "双因素认证", "otp_totp": "双因素认证（动态口令）", "otp_static": "双因素认证（备用码）",
    "captcha": "验证码", "ninja": "接口框架",
}


class AccountsConfig(AppConfig):
    name = "daiban.accounts"
    verbose_name = "账号安全"

    def ready(self) -> None:
        from django.apps import apps

        from daiban.accounts import signals  # noqa: F401  (connects the receivers)

        # The libraries' apps as the admin's index lists them: in Chinese, like the rest of it.
        for label, name in LIBRARY_APP_NAMES.items():
            if apps.is_installed(label) or label in apps.app_configs:
                apps.get_app_config(label).verbose_name = name
