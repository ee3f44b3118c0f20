# 首席服务官 and 一对一专办 (issue 16, item 5).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0003_window_duty_service_requests'),
        ('bundles', '0003_alert_recipients'),
        ('identity', '0005_authorization_item_codes'),
        ('org', '0003_hall_level_coordinates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ServiceOfficer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('chief', '首席服务官'), ('dedicated', '一对一专办')], max_length=10, verbose_name='服务方式')),
                ('credit_code', models.CharField(max_length=18, verbose_name='企业（项目单位）统一社会信用代码')),
                ('region_path', models.CharField(max_length=120, verbose_name='区划路径')),
                ('phone', models.CharField(max_length=20, verbose_name='办公电话')),
                ('office', models.CharField(blank=True, max_length=100, verbose_name='办公地点')),
                ('duties', models.CharField(max_length=200, verbose_name='服务内容')),
                ('starts_on', models.DateField(verbose_name='起始日期')),
                ('ends_on', models.DateField(blank=True, null=True, verbose_name='截止日期')),
                ('status', models.CharField(choices=[('active', '在任'), ('ended', '已结束')], default='active', max_length=8, verbose_name='状态')),
                ('created_at', models.DateTimeField(verbose_name='指派时间')),
                ('changed_at', models.DateTimeField(blank=True, null=True, verbose_name='变更时间')),
                ('version', models.PositiveIntegerField(default=1)),
                ('assigned_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='指派人')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.department', verbose_name='所在部门')),
                ('legal_entity', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='identity.legalentity', verbose_name='服务企业')),
                ('officer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='service_officer_assignments', to=settings.AUTH_USER_MODEL, verbose_name='服务专员')),
                ('project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='bundles.investmentproject', verbose_name='重点项目')),
            ],
            options={
                'verbose_name': '首席服务官与一对一专办',
                'verbose_name_plural': '首席服务官与一对一专办',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['credit_code', 'status'], name='appt_officer_business'), models.Index(fields=['officer', 'status'], name='appt_officer_officer'), models.Index(fields=['project', 'status'], name='appt_officer_project')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('legal_entity__isnull', False), ('project__isnull', True)), models.Q(('legal_entity__isnull', True), ('project__isnull', False)), _connector='OR'), name='appt_officer_one_target'), models.CheckConstraint(condition=models.Q(('ends_on__isnull', True), ('ends_on__gte', models.F('starts_on')), _connector='OR'), name='appt_officer_period')],
            },
        ),
        migrations.CreateModel(
            name='ServiceOfficerEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=10, verbose_name='操作')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('assignment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='appointments.serviceofficer', verbose_name='指派')),
                ('officer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='服务专员')),
            ],
            options={
                'verbose_name': '服务专员指派记录',
                'verbose_name_plural': '服务专员指派记录',
                'ordering': ['at', 'pk'],
            },
        ),
    ]
