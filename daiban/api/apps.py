from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "daiban.api"
    label = "api"
    verbose_name = "接口"

    def ready(self) -> None:
        # A password change, deactivation or removed role revokes the user's API tokens.
        from daiban.accounts.lifecycle import register_revoker
        from daiban.api.models import ApiToken

        register_revoker(ApiToken.revoke_all)
