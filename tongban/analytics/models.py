"""Rollups of the indicators board (指标看板, R-AN-1/2, issue 15 item 4).

One row holds a count pair (numerator, denominator) of one metric for one
month, one region path and one department, optionally split by a dimension
(the item's level, a service item, a 一件事). Distribution metrics (working
days per item or bundle) keep a histogram, so that medians and 90th
percentiles of any region and period are merged from rows, never re-read from
cases. ``services.board_rollups_rebuild`` is the only writer: it replaces the
rows of the months it is given.
"""

from __future__ import annotations

from django.db import models


class Rollup(models.Model):
    period = models.DateField("月份", help_text="统计月份的第一天（北京时间）")
    # The source row's region path and department: the board is scoped like
    # every staff read (CONVENTIONS 5) on these two columns.
    region_path = models.CharField("区划路径", max_length=200)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="部门",
    )
    metric = models.CharField("指标", max_length=32)
    dim = models.CharField("维度", max_length=40, blank=True)
    num = models.BigIntegerField("分子", default=0)
    den = models.BigIntegerField("分母", default=0)
    # {"<working days>": count} for distribution metrics.
    hist = models.JSONField("分布", default=dict, blank=True)
    # The limit a distribution is measured against (working days), if any.
    limit = models.PositiveIntegerField("时限（工作日）", null=True, blank=True)
    built_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "指标汇总"
        verbose_name_plural = "指标汇总"
        indexes = [
            models.Index(fields=["period", "metric", "region_path"], name="analytics_rollup_board"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.metric} {self.region_path} {self.num}/{self.den}"


class RollupWatermark(models.Model):
    """Where the incremental refresh stopped (one row): the start of the last
    refresh, so the next reads the histories from there (less a margin)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    refreshed_from = models.DateTimeField("上次增量汇总开始时间")
    months = models.PositiveIntegerField("上次重算月数", default=0)

    class Meta:
        verbose_name = "汇总水位"
        verbose_name_plural = "汇总水位"

    def __str__(self) -> str:
        return f"rollups refreshed from {self.refreshed_from:%Y-%m-%d %H:%M}"
