from django.core.management.base import BaseCommand

from daiban.notifications.services import send_due


class Command(BaseCommand):
    help = "发送排队的短信（失败的按间隔重试）。可每分钟运行，多个进程同时运行也不会重复发送。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        counts = send_due(dry_run=options["dry_run"])
        self.stdout.write(f"短信：待发 {counts['due']}，已发 {counts.get('sent', 0)}，失败 {counts.get('failed', 0)}，撤回 {counts.get('cancelled', 0)}")
