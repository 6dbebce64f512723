"""Import jobs: a ledger uploaded in the console is checked, then imported, in the background,
with its progress in the database for the console's progress bar.

Jobs run on the task worker (`shequtong worker`, registry/tasks.py). A run first claims its job
(`worker`, `heartbeat_at`) and reports at every batch, so the same job never runs twice at once
(a confirm pressed twice, a task delivered twice) and a run that falls silent — its worker
killed — is seen as interrupted. Such a job keeps every committed batch (valid-rows mode) and
resumes from the console's 继续 button or `shequtong import resume JOB`, with its counters
carried on from the last committed batch.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from shequtong.core import vault
from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError, NotFoundError, PermissionDeniedError
from shequtong.core.exports import xlsx_row
from shequtong.core.models import Area, User
from shequtong.core.scoping import can_in_area

from .choices import EDUCATIONS, POLITICAL_STATUSES, RELATIONSHIPS, DwellingUsage, Residency
from .importing import columns as col
from .importing.persons import ImportReport, PersonImport
from .importing.readers import cell_text, open_table
from .models import BUSY, INTERRUPTED, ColumnMapping, ImportJob, ImportMode, ImportStatus, Person

log = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


def job_create(
    *,
    actor: User,
    community: Area,
    upload: UploadedFile,
    mode: str = ImportMode.VALID_ROWS,
    create_places: bool = True,
) -> ImportJob:
    if not can_in_area(actor, "change", Person, community.path):
        raise PermissionDeniedError(f"您无权向{community.name}导入台账")
    name = Path(upload.name or "台账").name
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise DomainError(
            "invalid", "只接受 .xlsx、.xls、.ods 或 .csv 文件", {"file": ["文件类型不支持"]}
        )
    limit = settings.SHEQUTONG_UPLOAD_MAX_MB
    if upload.size and upload.size > limit * 1024 * 1024:
        raise DomainError(
            "invalid",
            f"文件 {upload.size / 1024 / 1024:.1f} MB，超过上限 {limit} MB："
            "请拆分后上传，或由管理员用命令 shequtong import persons 导入",
            {"file": ["文件过大"]},
        )
    with transaction.atomic():
        job = ImportJob(
            area=community,
            original_name=name,
            mode=mode,
            create_places=create_places,
            created_by=actor,
        )
        job.file.save(name, upload, save=False)
        job.save()
        audit_record(actor=actor, action="import.upload", obj=job)
    return job


def _store(job: ImportJob, report: ImportReport, status: str, error: str = "") -> None:
    job.status, job.error, job.worker = status, error, ""
    job.counts = report.counts
    job.rows_done = report.counts["rows"]
    job.total_rows = max(job.total_rows, report.counts["rows"])
    job.header, job.unknown_headers, job.notes = (
        report.header,
        report.unknown_headers,
        report.notes,
    )
    job.rejected = [{"row": r.row, "errors": [list(e) for e in r.errors]} for r in report.rejected]
    job.finished_at = timezone.now()
    job.save()


def _claim(job_id: int) -> str | None:
    """Take the job for this run: it must be busy and queued, or held by a silent run. The
    token names the run; None when another live run holds the job (or it is not busy)."""
    token = secrets.token_hex(8)
    now = timezone.now()
    silent_since = now - timedelta(seconds=settings.SHEQUTONG_IMPORT_STALE_SECONDS)
    taken = (
        ImportJob.objects.filter(pk=job_id, status__in=BUSY)
        .filter(Q(worker="") | Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True))
        .update(worker=token, heartbeat_at=now)
    )
    return token if taken else None


def run_job(job_id: int) -> ImportJob:
    """Check (dry run) or import one job, recording the outcome on it. Never raises for a bad
    file: the reason is the job's `error`, shown in the console. Does nothing when another run
    holds the job."""
    token = _claim(job_id)
    job = ImportJob.objects.select_related("area", "created_by").get(pk=job_id)
    if token is None:
        log.info("import job %s is held by another run or not queued", job_id)
        return job
    dry_run = job.status in (ImportStatus.PENDING, ImportStatus.CHECKING)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.CHECKING if dry_run else ImportStatus.RUNNING,
        started_at=timezone.now(),
    )

    def progress(rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk, worker=token).update(
            rows_done=rows, heartbeat_at=timezone.now()
        )

    importer = PersonImport(
        community=job.area,
        actor=job.created_by,
        create_places=job.create_places,
        all_or_nothing=job.mode == ImportMode.ALL_OR_NOTHING,
        dry_run=dry_run,
        job=job,
        progress=progress,
    )
    if not job.file:
        _store(job, importer.report, ImportStatus.FAILED, "上传的文件已按保留期限删除，请重新上传")
        return job
    try:
        report = importer.run(upload_bytes(job))
    except DomainError as exc:
        _store(job, importer.report, ImportStatus.FAILED, exc.message)
        return job
    except Exception as exc:
        log.exception("import job %s failed", job.pk)
        job.refresh_from_db()
        message = f"{INTERRUPTED}：{exc}。已提交的批次已保存，可点击“继续”从中断处接着导入。"
        _store(job, importer.report, ImportStatus.FAILED, message)
        return job
    if dry_run:
        _store(job, report, ImportStatus.CHECKED)
    elif report.committed:
        _store(job, report, ImportStatus.DONE)
        if settings.SHEQUTONG_UPLOAD_RETENTION_DAYS == 0:
            uploads_purge()
    else:
        _store(job, report, ImportStatus.FAILED, "有错误行，按“全部成功才导入”方式未导入任何数据")
    return job


def columns_map(*, actor: User, job: ImportJob, choices: dict[str, str]) -> ImportJob:
    """Remember the community's own column names, then check the file again with them."""
    if not can_in_area(actor, "change", Person, job.area_path):
        raise PermissionDeniedError()
    with transaction.atomic():
        _save_columns(actor, job, choices)
    _launch(job.pk)
    job.refresh_from_db()
    return job


def _save_columns(actor: User, job: ImportJob, choices: dict[str, str]) -> None:
    saved = {}
    for header, field in choices.items():
        if not field:
            continue
        if field not in col.BY_FIELD or header not in job.header:
            raise DomainError("invalid", f"无法把“{header}”对应到“{field}”")
        ColumnMapping.objects.update_or_create(
            area=job.area,
            header=header,
            defaults={"field": field, "area_path": job.area.path},
        )
        saved[header] = field
    if saved:
        audit_record(
            actor=actor, action="import.columns", obj=job, changes={"columns": [None, saved]}
        )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.PENDING, error="", rejected=[], counts={}, rows_done=0, worker=""
    )


def job_start(*, actor: User, job: ImportJob, confirm: bool = False) -> ImportJob:
    """Queue the check, or — after the user has seen the check — the import itself. A confirm
    moves the job out of 待确认 in one conditional update: pressed twice, it runs once."""
    if not can_in_area(actor, "change", Person, job.area_path):
        raise PermissionDeniedError()
    if confirm:
        confirmed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
            status=ImportStatus.RUNNING,
            dry_run=False,
            error="",
            worker="",
            heartbeat_at=timezone.now(),
        )
        if not confirmed:
            job.refresh_from_db()
            if job.busy:
                raise DomainError("invalid", "该导入已确认，正在进行中")
            if job.status == ImportStatus.DONE:
                raise DomainError("invalid", "该导入已完成")
            raise DomainError("invalid", "请先完成校验，再确认导入")
        audit_record(actor=actor, action="import.confirm", obj=job)
    _launch(job.pk)
    job.refresh_from_db()
    return job


def job_resume(*, actor: User | None, job: ImportJob) -> ImportJob:
    """Queue again a job cut off mid-run (its worker killed) or failed for a reason of ours;
    it carries on after its last committed batch. `actor` None: the server's operator."""
    if actor is not None and not can_in_area(actor, "change", Person, job.area_path):
        raise PermissionDeniedError()
    if not job.resumable:
        raise DomainError("invalid", "只有中断的导入才能继续")
    status = ImportStatus.PENDING if job.dry_run else ImportStatus.RUNNING
    resumed = ImportJob.objects.filter(
        pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at
    ).update(status=status, error="", worker="", heartbeat_at=timezone.now())
    if not resumed:  # resumed meanwhile by someone else
        raise DomainError("invalid", "该导入已在继续")
    audit_record(actor=actor, action="import.resume", obj=job)
    _launch(job.pk)
    job.refresh_from_db()
    return job


def _launch(job_id: int) -> None:
    from .tasks import import_job_run

    if settings.HUEY.immediate:  # tests: the task runs here, now
        import_job_run(job_id)
        return
    ImportJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
    transaction.on_commit(lambda: import_job_run(job_id))


# --- files handed to the user ---------------------------------------------------------------

_RED = PatternFill("solid", fgColor="FDE2E2")


_TEMPLATE_SAMPLE = {
    "name": "张三",
    "gender": "女",
    "id_number": "11010519491231002X",
    "birth_date": "1949-12-31",
    "ethnicity": "汉族",
    "phone": "13800138000",
    "estate": "杨家坪小区",
    "building": "3栋",
    "unit": "2",
    "number": "302",
    "floor_area": "89.5",
    "usage": "自住",
    "relationship": "户主",
    "residency": "户籍",
    "hukou_address": "重庆市九龙坡区杨家坪正街1号",
    "occupation": "退休",
    "education": "高中",
    "political_status": "群众",
    "moved_in_on": "2010-05-01",
    "tags": "独居老人、80岁以上高龄",
}
_TEMPLATE_HELP = (
    ("身份证号", "18 位；15 位旧号码自动转换为 18 位。性别、出生日期若填写，须与身份证号一致"),
    ("与户主关系", "、".join(label for _, label in RELATIONSHIPS)),
    ("人员类型", "、".join(Residency.labels)),
    ("房屋用途", "、".join(DwellingUsage.labels)),
    ("文化程度", "、".join(label for _, label in EDUCATIONS)),
    ("政治面貌", "、".join(label for _, label in POLITICAL_STATUSES)),
    ("特殊人群", "多个用顿号分隔，须为系统中的人群标签名称"),
    ("日期", "如 2020-01-02，也可用 Excel 日期格式"),
)


def template_workbook() -> Workbook:
    """The ledger template: the columns with a sample row, and the code tables on sheet two."""
    book = Workbook()
    sheet = book.active
    sheet.title = "人口台账"
    sheet.append([c.label for c in col.PERSON_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        column = col.HEADERS[cell.value]
        if column.required:
            cell.comment = Comment("必填", "社区通")
    sheet.append([_TEMPLATE_SAMPLE.get(c.field, "") for c in col.PERSON_COLUMNS])
    help_sheet = book.create_sheet("填写说明")
    help_sheet.append(["列", "说明"])
    for row in _TEMPLATE_HELP:
        help_sheet.append(list(row))
    return book


def upload_bytes(job: ImportJob) -> bytes:
    """The uploaded ledger, decrypted in memory (never written out in plaintext)."""
    with job.file.open("rb") as handle:
        return handle.read()


# Ledger columns shown masked in the rejected-rows file to a user who may not reveal them.
_MASKED_FIELDS = {"id_number": vault.mask_id_number, "phone": vault.mask_phone}


def rejected_workbook(*, actor: User, job: ImportJob) -> Workbook:
    """The rejected rows as the user wrote them, with the reasons beside them, to fix and
    upload again: the same columns, so the corrected file imports as it is. ID and phone
    numbers are masked unless the user holds `reveal` over the community (then the file is
    the same one they uploaded); the download is audited either way."""
    if not job.file:
        raise NotFoundError("上传的文件已按保留期限删除，无法生成错误行文件；错误原因仍列在本页")
    full = can_in_area(actor, "reveal", Person, job.area_path)
    reasons = {r["row"]: r["errors"] for r in job.rejected}
    headers = PersonImport(community=job.area, actor=None).headers
    table = open_table(upload_bytes(job), set(headers))
    masks = {
        i: _MASKED_FIELDS[column.field]
        for i, name in enumerate(table.header)
        if (column := headers.get(name)) is not None and column.field in _MASKED_FIELDS
    }
    book = Workbook(write_only=True)
    sheet = book.create_sheet("错误行")
    sheet.append(xlsx_row(sheet, [*table.header, "原行号", "错误原因"]))
    for number, cells in table.rows:
        errors = reasons.get(number)
        if errors is None:
            continue
        text = "；".join(f"{column}：{message}" for column, message in errors)
        values: list[Any] = [cell_text(c) for c in cells]
        values += [""] * (len(table.header) - len(values))
        if not full:
            values = [masks[i](v) if i in masks else v for i, v in enumerate(values)]
        sheet.append(xlsx_row(sheet, [*values, number, text]))
    audit_record(
        actor=actor,
        action="import.rejected_download",
        obj=job,
        changes={"rows": [None, len(reasons)], "masked": [None, not full]},
    )
    return book


def uploads_purge(*, now: datetime | None = None) -> int:
    """Delete the uploaded files of imports that ended more than the retention period ago (a
    failed job stays resumable until then); the jobs and their reports stay."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SHEQUTONG_UPLOAD_RETENTION_DAYS)
    ended = ImportJob.objects.filter(
        status__in=(ImportStatus.DONE, ImportStatus.FAILED), finished_at__lte=cutoff
    ).exclude(file="")
    purged = 0
    for job in ended:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        purged += 1
    return purged


def resume(job: ImportJob) -> ImportJob:
    """Carry on, in this process, a job cut off mid-import (`shequtong import resume`)."""
    if not job.resumable:
        raise DomainError(
            "invalid",
            f"只有中断的导入才能继续（进行中的导入 "
            f"{settings.SHEQUTONG_IMPORT_STALE_SECONDS} 秒无进展才算中断）",
        )
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.PENDING if job.dry_run else ImportStatus.RUNNING, worker=""
    )
    return run_job(job.pk)
