from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "tongban.inbox"
    label = "inbox"
    verbose_name = "消息中心"
