from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "daiban.petitions"
    label = "petitions"
    verbose_name = "信访事项"

    def ready(self) -> None:
        from daiban.petitions import audit_hooks, recompute
        from daiban.workdays.seed import days_changed

        audit_hooks.connect()
        days_changed.connect(recompute.after_seeding, dispatch_uid="petitions-recompute-after-seeding")
