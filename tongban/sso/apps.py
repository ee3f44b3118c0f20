from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "tongban.sso"
    label = "sso"
    verbose_name = "单点登录"

    def ready(self) -> None:
        from oauth2_provider.signals import app_authorized

        from tongban.sso import keys
        from tongban.sso.audit import on_token_issued

        # The signing keys come from the key file (or the environment in
        # production), read once at start; `tongban sso rotate-key` makes a new one.
        keys.install()
        app_authorized.connect(on_token_issued, dispatch_uid="tongban.sso.token_issued")
