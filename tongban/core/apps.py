from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "平台内核"

    def ready(self) -> None:
        from django.core import checks

        from tongban.core import notifications, scheduler
        from tongban.core.middleware.proxies import check_trusted_proxies

        notifications.subscribe_handlers()
        checks.register(check_trusted_proxies)

        # The audit log is sealed into its chain at every scheduler tick (ADR-0008).
        scheduler.register(
            "audit_seal", every_seconds=1, task_path="tongban.core.tasks.audit_seal_sweep"
        )
        # Retries after backoff, and any delivery whose enqueue was lost.
        scheduler.register(
            "outbox_sweep", every_seconds=30, task_path="tongban.core.tasks.outbox_sweep"
        )
