from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        from tongban.core import notifications, scheduler

        notifications.subscribe_handlers()

        # Retries after backoff, and any delivery whose enqueue was lost.
        scheduler.register(
            "outbox_sweep", every_seconds=30, task_path="tongban.core.tasks.outbox_sweep"
        )
