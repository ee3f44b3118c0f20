from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "tongban.appointments"
    label = "appointments"
    verbose_name = "预约与叫号"

    def ready(self) -> None:
        from tongban.core import scheduler

        # Appointments whose slot has passed without a check-in become 爽约.
        scheduler.register(
            "appointments_no_shows",
            every_seconds=900,
            task_path="tongban.appointments.tasks.appointments_no_show_sweep",
        )
        # The day before, each booked person is reminded (once).
        scheduler.register(
            "appointments_reminders",
            every_seconds=3600,
            task_path="tongban.appointments.tasks.appointments_remind_sweep",
        )
        # 电子监察: a 纠错 report unanswered past its working days is raised once.
        scheduler.register(
            "appointments_error_reports_overdue",
            every_seconds=3600,
            task_path="tongban.appointments.tasks.error_reports_overdue_sweep",
        )
