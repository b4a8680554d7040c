from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "daiban.stats"
    label = "stats"
    verbose_name = "统计"
