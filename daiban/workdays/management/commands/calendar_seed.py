from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from daiban.workdays.seed import seed_years


class Command(BaseCommand):
    help = "从 holidays 库写入工作日历（不覆盖管理员修改和导入的日期）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--years", nargs="*", type=int, help="年份；默认从设置的首年到明后年")

    def handle(self, *args, **options):
        this_year = timezone.localdate().year
        years = options["years"] or range(
            settings.DAIBAN_CALENDAR_FIRST_YEAR, this_year + settings.DAIBAN_CALENDAR_YEARS_AHEAD + 1
        )
        written = seed_years(years, announce=True)  # deadlines that counted a changed day move
        self.stdout.write(f"工作日历：写入 {written} 天")
