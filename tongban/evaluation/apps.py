from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tongban.evaluation"
    label = "evaluation"
    verbose_name = "好差评"

    def ready(self) -> None:
        from tongban.core import events, scheduler
        from tongban.evaluation import subscribers

        # A concluded case invites its applicant to rate it (好差评 一事一评).
        for event in subscribers.CONCLUDING_STEPS:
            events.subscribe(event, subscribers.on_case_concluded)
        # The rater is told the outcome of the rectification of their bad rating.
        events.subscribe("rectification.close", subscribers.on_rectification_closed)

        # 差评整改 past its deadline is escalated (督办) once, automatically.
        scheduler.register(
            "rectifications_overdue",
            every_seconds=3600,
            task_path="tongban.evaluation.tasks.rectifications_overdue_sweep",
        )
