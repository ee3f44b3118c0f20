from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "tongban.evaluation"
    label = "evaluation"
    verbose_name = "好差评"

    def ready(self) -> None:
        from tongban.core import scheduler

        # 差评整改 past its deadline is escalated (督办) once, automatically.
        scheduler.register(
            "rectifications_overdue",
            every_seconds=3600,
            task_path="tongban.evaluation.tasks.rectifications_overdue_sweep",
        )
