from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self) -> None:
        from tongban.core import scheduler

        # 行政许可法 第三十二条: an application not answered within five working days
        # counts as accepted on receipt; the scheduler records it.
        scheduler.register(
            "cases_deem_accept",
            every_seconds=600,
            task_path="tongban.cases.tasks.cases_deem_accept_sweep",
        )
