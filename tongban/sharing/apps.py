from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "tongban.sharing"
    label = "sharing"
    verbose_name = "数据共享与查询核验"

    def ready(self) -> None:
        from django.apps import apps

        from tongban.core import scheduler
        from tongban.identity.registry import registry_lookup_register
        from tongban.sharing import hooks
        from tongban.sharing.services.legal_entities import business_registry_entry

        # Every business authorization is checked against the 法人库 (docs/spaces.md).
        registry_lookup_register(business_registry_entry)

        # "Holds a certificate of type X" is answered from the 电子证照库 when
        # the certificates app is installed (docs/sharing.md).
        if apps.is_installed("tongban.certificates"):
            from tongban.sharing.certificates_link import certificate_holding_from_wallet

            hooks.certificate_checker_register(certificate_holding_from_wallet)

        # The access log is sealed in batches (docs/sharing.md): each seal
        # chains the entries written since the last one, so a line deleted
        # with its whole subject chain is still missed.
        scheduler.register(
            "sharing_access_log_seal",
            every_seconds=300,
            task_path="tongban.sharing.tasks.sharing_access_log_seal",
        )
