from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "tongban.spaces"
    label = "spaces"
    verbose_name = "个人和企业空间"
