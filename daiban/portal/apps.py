from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "daiban.portal"
    label = "portal"
    verbose_name = "掌上信访"
