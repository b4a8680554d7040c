from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "daiban.documents"
    label = "documents"
    verbose_name = "文书与档案"

    def ready(self) -> None:
        from daiban.documents import archive, checks  # noqa: F401  (the case file after `archive`; start-up checks)
