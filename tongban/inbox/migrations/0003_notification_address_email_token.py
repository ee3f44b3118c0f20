"""The keyed search token of each notification address (issue 14, item 5):
an e-mail the platform sends to the address is kept in its person's inbox."""

from django.db import migrations, models


def fill_tokens(apps, schema_editor):
    from tongban.inbox.dispatch import address_token_of_stored

    Address = apps.get_model("inbox", "NotificationAddress")
    for address in Address.objects.filter(email_token="").iterator():
        address.email_token = address_token_of_stored(address.email_enc)
        address.save(update_fields=["email_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0002_notification_preferences"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationaddress",
            name="email_token",
            field=models.CharField(
                blank=True, db_index=True, max_length=64, verbose_name="电子邮箱检索令牌"
            ),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
    ]
