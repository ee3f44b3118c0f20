from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "tongban.hotline"
    label = "hotline"
    verbose_name = "12345 热线"

    def ready(self) -> None:
        from tongban.core import scheduler

        # R-HL-3: yellow and red alerts on the dispatch and handling clocks, and
        # the automatic escalation (督办) of overdue orders.
        scheduler.register(
            "hotline_alerts",
            every_seconds=900,
            task_path="tongban.hotline.tasks.hotline_alerts_sweep",
        )
        # The routing classifier learns from the orders handled since.
        scheduler.register(
            "hotline_routing_train",
            every_seconds=86400,
            task_path="tongban.hotline.tasks.hotline_routing_train",
        )
