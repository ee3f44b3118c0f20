from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "平台内核"
