import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from daiban.notifications.sweep import run_sweep


class Command(BaseCommand):
    help = ("每日提醒：催办即将到期和已超期的处置单、提醒回访、提示录入明年节假日、发送短信。"
            "只在工作日催办提醒（休息日运行不做任何催办）；同一天重复运行不会重复催办。")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入、不发送")
        parser.add_argument("--no-send", action="store_true", help="不发送排队的短信")
        parser.add_argument("--today", help="按指定日期运行（YYYY-MM-DD），用于补跑")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today 应为YYYY-MM-DD") from exc
        if day > timezone.localdate():
            raise CommandError("--today 不能晚于今天（催办记录的日期不能在将来）")
        report = run_sweep(day=day, dry_run=options["dry_run"], send=not options["no_send"])
        prefix = "（试运行）" if options["dry_run"] else ""
        if report.rest_day:
            self.stdout.write(f"{prefix}{day} 是休息日，不催办、不提醒")
        elif report.already_ran:
            self.stdout.write(f"{prefix}{day} 的催办已完成过，本次不重复催办")
        else:
            self.stdout.write(f"{prefix}{day}：即将到期 {report.due_soon} 件，已超期 {report.overdue} 件，待回访 {report.follow_ups} 件")
        if report.calendar_warning:
            self.stdout.write(f"{prefix}提示：{report.calendar_warning}年工作日历尚未确认")
        if report.sms:
            self.stdout.write(f"{prefix}短信：待发 {report.sms['due']}，已发 {report.sms.get('sent', 0)}，失败 {report.sms.get('failed', 0)}")
