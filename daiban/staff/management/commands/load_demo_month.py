"""`manage.py load_demo_month`: the demo month of cases (after `load_demo`); see staff/demo_month.py."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from daiban.staff.demo_month import DemoRefused, load_demo_month


class Command(BaseCommand):
    help = "载入演示月：约50件覆盖各环节的信访事项和带班表，全部经由真实业务流程生成（只载入一次，生产环境不载入）"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            made = load_demo_month()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        if made == 0:
            self.stdout.write("演示月：数据库中已有信访事项，未再载入。")
        else:
            self.stdout.write(f"演示月：已生成 {made} 件信访事项和带班表（{time.monotonic() - started:.0f} 秒）。")
