"""Holiday names in Chinese: rows seeded from the `holidays` package before its English names were
all mapped ("Chinese New Year Extended Holiday" → 春节)."""

import re

from django.db import migrations, models

CJK = re.compile(r"[\u3400-\u9fff]")


def rename(apps, schema_editor):
    from daiban.workdays.seed import chinese_name

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    for day in CalendarDay.objects.exclude(name="").only("date", "name", "is_workday"):
        if not CJK.search(day.name):
            name = "调休上班" if day.is_workday else chinese_name(day.name)
            CalendarDay.objects.filter(date=day.date).update(name=name)


class Migration(migrations.Migration):
    dependencies = [("workdays", "0002_seed_calendar")]
    operations = [
        migrations.AlterField(
            model_name="calendarday",
            name="source",
            field=models.CharField(choices=[("library", "系统预置（节假日库）"), ("admin", "管理员修改"),
                                            ("import", "导入国务院通知")],
                                   default="library", max_length=10, verbose_name="来源"),
        ),
        migrations.RunPython(rename, migrations.RunPython.noop),
    ]
