from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "daiban.api"
    label = "api"
    verbose_name = "接口"
