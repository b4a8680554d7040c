from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "daiban.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from daiban.audit.labels import register_values
        from daiban.org import roles

        # A change of roles is audited with role codes (before/after): the audit page names them.
        register_values("before", roles.LABELS)
        register_values("after", roles.LABELS)
