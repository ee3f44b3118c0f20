from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "tongban.bundles"
    label = "bundles"
    verbose_name = "一件事"

    def ready(self) -> None:
        from tongban.bundles import subscribers
        from tongban.core import events, idempotency, scheduler

        # A submission claims its Idempotency-Key in its own transaction (issue 12).
        idempotency.handled_in_view("POST", r"/api/v1/bundles/[^/]+/applications")

        # A member case's steps move its bundle on: a result starts the members
        # that waited for it, a refusal stops them, supplement requests are
        # assembled into one notice (cases emits ``case.<action>``).
        for event, handler in subscribers.HANDLERS.items():
            events.subscribe(event, handler)
        # Missed or late events: the sweep brings every open application in step
        # with its member cases (idempotent).
        scheduler.register(
            "bundles_sync",
            every_seconds=600,
            task_path="tongban.bundles.tasks.bundles_sync_sweep",
        )
        # The lead department's desk: the bundle's deadline and each member's clock.
        scheduler.register(
            "bundles_alerts",
            every_seconds=900,
            task_path="tongban.bundles.tasks.bundle_alerts_sweep",
        )
