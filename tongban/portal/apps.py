from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tongban.portal"
    label = "portal"
    verbose_name = "门户"

    def ready(self) -> None:
        from tongban.core import scheduler

        # Files staged with an application form that was never submitted.
        scheduler.register(
            "portal_staged_uploads_expire",
            every_seconds=3600,
            task_path="tongban.portal.tasks.staged_uploads_expire_sweep",
        )
        # Search ranks the items people use most first (docs/catalog.md).
        scheduler.register(
            "catalog_usage_refresh",
            every_seconds=24 * 3600,
            task_path="tongban.portal.tasks.catalog_usage_refresh",
        )
