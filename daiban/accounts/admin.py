"""The background tasks' admin (django-tasks-db) in Chinese: its own columns are named through the
locale (daiban/locale), but its task name is a property ("Task name") and the queue a code ("default")."""

from __future__ import annotations

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

QUEUE_NAMES = {"default": "默认队列"}
# The project's tasks (the @task functions), by what they do; another task shows its own name.
TASK_NAMES = {"run_consumer": "事件后续处理（通知、案卷、公告）", "dispositions_moved": "处置单时限顺延通知",
              "notify_mentions": "批注提醒", "preview": "生成案卷预览"}


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("id", "task_label", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue_label")

    @admin.display(description="任务名称", ordering="task_path")
    def task_label(self, obj: DBTaskResult) -> str:
        return TASK_NAMES.get(obj.task_name, obj.task_name)

    @admin.display(description="队列", ordering="queue_name")
    def queue_label(self, obj: DBTaskResult) -> str:
        return QUEUE_NAMES.get(obj.queue_name, obj.queue_name)


if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
