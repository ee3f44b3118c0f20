from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "tongban.inbox"
    label = "inbox"
    verbose_name = "消息中心"

    def ready(self) -> None:
        from tongban.core.notifications import register_router
        from tongban.inbox.dispatch import notification_route

        register_router(notification_route)
