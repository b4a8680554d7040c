from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "daiban.documents"
    label = "documents"
    verbose_name = "文书与档案"

    def ready(self) -> None:
        from daiban.documents import archive  # noqa: F401  (builds the case file after `archive`)
