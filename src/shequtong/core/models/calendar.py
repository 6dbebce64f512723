from django.db import models


class HolidayNotice(models.Model):
    """国务院办公厅关于某年部分节假日安排的通知, as loaded by a district administrator: the year's
    holidays and make-up working days (调休). Until a year has one (or chinesecalendar knows the
    year), its deadlines count the statutory holidays and weekends only, and the pages say so."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("文号或依据", max_length=128)
    loaded_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_at = models.DateTimeField("导入时间", auto_now=True)

    scope_global = True

    class Meta:
        verbose_name = "年度放假安排"
        verbose_name_plural = verbose_name
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年放假安排（{self.source}）"


class CalendarOverride(models.Model):
    """A day that differs from the national calendar: an extra day off, or an extra working day
    — entered one by one (a local arrangement), or as a line of a year's `HolidayNotice`."""

    day = models.DateField("日期", unique=True)
    is_working = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=128)
    notice = models.ForeignKey(
        HolidayNotice,
        verbose_name="所属放假安排",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="days",
    )
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_global = True

    class Meta:
        verbose_name = "工作日历调整"
        verbose_name_plural = verbose_name
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_working else '休息'}：{self.note}"
