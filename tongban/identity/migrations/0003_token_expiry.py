"""Tokens made before issue 9 (item 12) never expired: they now expire after the
default lifetime, counted from this migration (TONGBAN_API_TOKEN_DEFAULT_DAYS;
0 leaves them as they are)."""

import datetime as dt

from django.conf import settings
from django.db import migrations


def give_open_tokens_an_expiry(apps, schema_editor):
    from tongban.core import clock

    days = getattr(settings, "TONGBAN_API_TOKEN_DEFAULT_DAYS", 90)
    if days <= 0:
        return
    ApiToken = apps.get_model("identity", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True, revoked_at__isnull=True).update(
        expires_at=clock.now() + dt.timedelta(days=days)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0002_phone_verification"),
    ]

    operations = [
        migrations.RunPython(give_open_tokens_an_expiry, migrations.RunPython.noop),
    ]
