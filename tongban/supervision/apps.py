from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tongban.supervision"
    label = "supervision"
    verbose_name = "电子监察"

    def ready(self) -> None:
        from tongban.core import scheduler

        # 电子监察: yellow and red alerts at the acceptance and decision gates.
        scheduler.register(
            "supervision_alerts",
            every_seconds=900,
            task_path="tongban.supervision.tasks.supervision_alerts_sweep",
        )
        # 督办 unanswered past its deadline: marked once, the department told.
        scheduler.register(
            "supervision_instructions_overdue",
            every_seconds=3600,
            task_path="tongban.supervision.tasks.instructions_overdue_sweep",
        )
        # 审管联动 (issue 17): a granted case of a routed item becomes a supervision task.
        from tongban.core import events
        from tongban.supervision import handoff

        for event in handoff.GRANT_EVENTS:
            events.subscribe(event, handoff.on_case_granted)
        # 纠错 unanswered past its working days: the hall's supervisors are texted.
        from tongban.appointments.services.error_reports import OVERDUE_EVENT
        from tongban.supervision.appointments import on_error_report_overdue

        events.subscribe(OVERDUE_EVENT, on_error_report_overdue)
        scheduler.register(
            "supervision_handoff_alerts",
            every_seconds=3600,
            task_path="tongban.supervision.inspection_tasks.handoff_alerts_sweep",
        )
        scheduler.register(
            "supervision_inspection_results_publish",
            every_seconds=3600,
            task_path="tongban.supervision.inspection_tasks.inspection_results_publish_sweep",
        )
