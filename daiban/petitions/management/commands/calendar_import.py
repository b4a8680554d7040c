from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from daiban.petitions.abilities import SYSTEM
from daiban.petitions.services import calendar_change
from daiban.workdays.models import CalendarDay
from daiban.workdays.seed import NoticeError, parse_notice


class Command(BaseCommand):
    help = (
        "导入一年的节假日安排（国务院办公厅通知），并标记该年已确认。文件每行：\n"
        "  2027-02-06..2027-02-12 休 春节\n  2027-02-20 班 春节调休上班\n"
        "未列出的日期按周一至周五上班。受影响的在办时限会重算。"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只显示将改变的日期")

    def handle(self, *args, **options):
        try:
            specs = parse_notice(options["file"].read_text(encoding="utf-8"), options["year"])
        except (OSError, NoticeError) as exc:
            raise CommandError(str(exc)) from exc
        current = dict(CalendarDay.objects.filter(date__year=options["year"]).values_list("date", "is_workday"))
        differing = [s for s in specs if current.get(s.date) != s.is_workday]
        for spec in differing:
            self.stdout.write(f"{spec.date} → {'上班' if spec.is_workday else '休息'} {spec.name}")
        if options["dry_run"]:
            self.stdout.write(f"（试运行）将改变 {len(differing)} 天")
            return
        changed = calendar_change(actor=SYSTEM, specs=specs, source=CalendarDay.Source.IMPORT, confirm=True,
                                  reason=f"导入{options['year']}年节假日安排")
        self.stdout.write(f"已导入 {options['year']} 年：{len(changed)} 天有变化，全年已标记为已确认")
