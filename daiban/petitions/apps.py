from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "daiban.petitions"
    label = "petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from daiban.petitions import audit_hooks

        audit_hooks.connect()
