from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "daiban.petitions"
    label = "petitions"
    verbose_name = "信访事项"
