from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "tongban.sharing"
    label = "sharing"
    verbose_name = "数据共享与查询核验"

    def ready(self) -> None:
        from tongban.core import scheduler

        # The access log is sealed in batches (docs/sharing.md): each seal
        # chains the entries written since the last one, so a line deleted
        # with its whole subject chain is still missed.
        scheduler.register(
            "sharing_access_log_seal",
            every_seconds=300,
            task_path="tongban.sharing.tasks.sharing_access_log_seal",
        )
