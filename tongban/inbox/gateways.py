"""An e-mail gateway through Django's configured e-mail backend (``EMAIL_BACKEND``):
the SMTP backend in production, the console backend on a developer's machine,
locmem in tests. Select it with ``TONGBAN_EMAIL_GATEWAY``."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from tongban.core.notifications import GatewayError


class DjangoEmailGateway:
    name = "django-email"

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        from_email = settings.TONGBAN_EMAIL_FROM
        domain = parseaddr(from_email)[1].rpartition("@")[2] or "tongban.local"
        message_id = make_msgid(domain=domain)
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=from_email,
            to=[recipient],
            headers={"Message-ID": message_id},
        )
        try:
            sent = message.send()
        except smtplib.SMTPResponseException as exc:
            raise GatewayError(
                f"SMTP {exc.smtp_code}", retryable=not 500 <= exc.smtp_code < 600
            ) from exc
        except OSError as exc:
            raise GatewayError(f"e-mail: {type(exc).__name__}", retryable=True) from exc
        if sent != 1:
            raise GatewayError("e-mail: the message was not sent", retryable=True)
        return message_id
