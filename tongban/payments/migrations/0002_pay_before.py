from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="feerule",
            name="pay_before",
            field=models.CharField(
                choices=[("acceptance", "受理前缴清"), ("delivery", "送达前缴清")],
                default="delivery",
                max_length=12,
                verbose_name="缴费环节",
            ),
        ),
        migrations.AddField(
            model_name="paymentorder",
            name="pay_before",
            field=models.CharField(
                choices=[("acceptance", "受理前缴清"), ("delivery", "送达前缴清")],
                default="delivery",
                max_length=12,
                verbose_name="缴费环节",
            ),
        ),
    ]
