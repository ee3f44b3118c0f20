from django.apps import AppConfig


class IntermediariesConfig(AppConfig):
    name = "tongban.intermediaries"
    label = "intermediaries"
    verbose_name = "中介服务超市与公共资源交易"

    def ready(self) -> None:
        from tongban.core import scheduler

        # Purchases whose service time limit (服务时限) is near or past alert the buyer.
        scheduler.register(
            "intermediaries_service_alerts",
            every_seconds=3600,
            task_path="tongban.intermediaries.tasks.purchases_service_alert_sweep",
        )
