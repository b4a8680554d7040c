from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "daiban.documents"
    label = "documents"
    verbose_name = "文书与档案"
