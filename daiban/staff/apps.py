from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "daiban.staff"
    label = "staff"
    verbose_name = "工作台"

    def ready(self) -> None:
        from daiban.staff import roster
        from daiban.workdays.seed import days_changed
        from daiban.workdays.services import days_set

        # The duty roster follows a changed calendar on its future days (roster.follow_calendar).
        days_set.connect(roster._after_calendar_change, dispatch_uid="staff-roster-follows-calendar")
        days_changed.connect(roster._after_calendar_change, dispatch_uid="staff-roster-follows-seeding")
