from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "tongban.credit"
    label = "credit"
    verbose_name = "信用"
