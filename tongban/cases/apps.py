from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tongban.cases"
    label = "cases"
    verbose_name = "办件"
