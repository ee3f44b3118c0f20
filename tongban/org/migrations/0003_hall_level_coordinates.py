"""Halls get their level in the five-level 政务服务体系 and their coordinates (R-HA-1/2)."""

from django.db import migrations, models


def level_from_region(apps, schema_editor):
    """A hall's level follows its region's until someone says otherwise (outlets)."""
    Hall = apps.get_model("org", "Hall")
    for level in ("province", "city", "county", "township", "village"):
        Hall.objects.filter(region__level=level).update(level=level)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_staff_role_finance"),
    ]

    operations = [
        migrations.AddField(
            model_name="hall",
            name="level",
            field=models.CharField(
                choices=[
                    ("province", "省级政务服务中心"),
                    ("city", "市级政务服务中心"),
                    ("county", "县级政务服务中心"),
                    ("township", "乡镇（街道）便民服务中心"),
                    ("village", "村（社区）便民服务站"),
                    ("outlet", "银行、邮政等代办网点"),
                ],
                default="county",
                max_length=10,
                verbose_name="层级",
            ),
        ),
        migrations.AddField(
            model_name="hall",
            name="transport",
            field=models.CharField(blank=True, max_length=200, verbose_name="交通指引"),
        ),
        migrations.AddField(
            model_name="hall",
            name="latitude",
            field=models.DecimalField(
                blank=True, decimal_places=6, max_digits=9, null=True, verbose_name="纬度"
            ),
        ),
        migrations.AddField(
            model_name="hall",
            name="longitude",
            field=models.DecimalField(
                blank=True, decimal_places=6, max_digits=9, null=True, verbose_name="经度"
            ),
        ),
        migrations.AddField(
            model_name="hall",
            name="coordinate_system",
            field=models.CharField(
                choices=[("gcj02", "GCJ-02（国测局坐标）"), ("wgs84", "WGS-84（卫星定位坐标）")],
                default="gcj02",
                max_length=8,
                verbose_name="坐标系",
            ),
        ),
        migrations.AddConstraint(
            model_name="hall",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("latitude__isnull", True), ("longitude__isnull", True)),
                    models.Q(
                        ("latitude__gte", -90),
                        ("latitude__isnull", False),
                        ("latitude__lte", 90),
                        ("longitude__gte", -180),
                        ("longitude__isnull", False),
                        ("longitude__lte", 180),
                    ),
                    _connector="OR",
                ),
                name="org_hall_coordinates",
            ),
        ),
        migrations.AddIndex(
            model_name="hall",
            index=models.Index(fields=["level", "region"], name="org_hall_level_region"),
        ),
        migrations.AddIndex(
            model_name="hall",
            index=models.Index(fields=["latitude", "longitude"], name="org_hall_latlng"),
        ),
        migrations.RunPython(level_from_region, migrations.RunPython.noop),
    ]
