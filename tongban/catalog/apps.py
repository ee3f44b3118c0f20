from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "tongban.catalog"
    label = "catalog"
    verbose_name = "事项库与办事指南"
