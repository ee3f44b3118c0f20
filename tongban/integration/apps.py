from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "tongban.integration"
    label = "integration"
    verbose_name = "部门系统对接"

    def ready(self) -> None:
        from tongban.core import events
        from tongban.integration import services

        # Case and 12345 order events become signed webhooks to the systems of
        # the department concerned (fan-out; each delivery retried by the outbox).
        for event in services.WEBHOOK_EVENTS:
            events.subscribe(event, services.on_platform_event)
        events.subscribe(services.SEND_EVENT, services.on_webhook_send)
