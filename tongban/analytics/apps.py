from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tongban.analytics"
    label = "analytics"
    verbose_name = "指标看板"

    def ready(self) -> None:
        from tongban.core import scheduler

        # The board reads rollups only; the worker refreshes the months the
        # histories touched (analytics.incremental), `tongban board rebuild` all.
        scheduler.register(
            "board_rollups",
            every_seconds=900,
            task_path="tongban.analytics.tasks.board_rollups_refresh",
        )
