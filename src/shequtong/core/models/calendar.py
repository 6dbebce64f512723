from django.db import models


class CalendarOverride(models.Model):
    """A local exception to the national calendar: an extra day off, or an extra working day."""

    day = models.DateField("日期", unique=True)
    is_working = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=128)
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
