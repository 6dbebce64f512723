"""A ledger import: its file, options, progress and report, so it can run in the background,
be watched from the console, and resume after a crash from the last committed batch."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from shequtong.core.models import GovernedModel
from shequtong.core.storage import sealed_storage


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    CHECKING = "checking", "校验中"
    CHECKED = "checked", "待确认"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


# How a job stopped by an error of ours (not of the file) says so: it may be resumed.
INTERRUPTED = "导入中断"
# A job in these states is queued or being worked on.
BUSY = frozenset({ImportStatus.PENDING, ImportStatus.CHECKING, ImportStatus.RUNNING})


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "全部成功才导入"
    VALID_ROWS = "valid_rows", "导入有效行，报告错误行"


class ImportJob(GovernedModel):
    """`area` is the community the ledger belongs to."""

    kind = models.CharField("台账类型", max_length=16, default="persons")
    # Encrypted at rest; deleted SHEQUTONG_UPLOAD_RETENTION_DAYS after the import ends.
    file = models.FileField("文件", upload_to="imports/%Y/%m/", storage=sealed_storage, blank=True)
    original_name = models.CharField("文件名", max_length=200)
    mode = models.CharField(
        "导入方式", max_length=16, choices=ImportMode.choices, default=ImportMode.VALID_ROWS
    )
    create_places = models.BooleanField("自动新建小区/楼栋/房屋", default=True)
    dry_run = models.BooleanField("仅校验", default=True)
    status = models.CharField(
        "状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    created_by = models.ForeignKey(
        "core.User", verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_rows = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    # The last data row (1-based, as in the sheet) whose batch is committed: a resumed run
    # starts after it.
    committed_through = models.PositiveIntegerField(default=0)
    counts = models.JSONField("统计", default=dict, blank=True)
    # Rejected rows: [{"row": n, "errors": [[column, message], ...], "values": [...]}].
    rejected = models.JSONField("错误行", default=list, blank=True)
    header = models.JSONField("表头", default=list, blank=True)
    # Headers matching no known column: the console offers to map them.
    unknown_headers = models.JSONField("未识别的列", default=list, blank=True)
    notes = models.JSONField("说明", default=list, blank=True)
    error = models.TextField("失败原因", blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Which run of the task worker holds the job ("" while queued), and its last sign of life:
    # a busy job silent for SHEQUTONG_IMPORT_STALE_SECONDS was cut off (a killed worker).
    worker = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def busy(self) -> bool:
        return self.status in BUSY

    @property
    def stalled(self) -> bool:
        """Busy, but no worker has reported for too long: shown as interrupted, resumable."""
        if not self.busy or self.heartbeat_at is None:
            return False
        silent = timezone.now() - self.heartbeat_at
        return silent.total_seconds() > settings.SHEQUTONG_IMPORT_STALE_SECONDS

    @property
    def resumable(self) -> bool:
        """Cut off (stalled, or stopped by an error of ours mid-run, jobs.run_job): its
        committed batches stay and a new run carries on after them."""
        interrupted = self.status == ImportStatus.FAILED and self.error.startswith(INTERRUPTED)
        return self.stalled or interrupted

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.total_rows) if self.total_rows else 0


class ColumnMapping(GovernedModel):
    """A community's own name for a ledger column (“户主姓名” for 姓名 …), remembered so its
    next ledger imports without asking again. `area` is the community."""

    header = models.CharField("表头", max_length=64)
    field = models.CharField("对应字段", max_length=32)

    class Meta:
        verbose_name = "台账列对应"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "header"]
        constraints = [
            models.UniqueConstraint(fields=["area", "header"], name="registry_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.field}"
