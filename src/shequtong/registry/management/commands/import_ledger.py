"""`shequtong import persons FILE --community CODE` and `shequtong import resume JOB`.

The console's import, for ledgers too big to upload or for a scheduled load: the same checks,
the same modes, a progress line, and the job recorded so it can be resumed after a crash.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError
from shequtong.core.models import Area
from shequtong.registry.importing.persons import ImportReport, PersonImport
from shequtong.registry.importing.readers import count_rows
from shequtong.registry.jobs import resume, uploads_purge
from shequtong.registry.models import ImportJob, ImportMode, ImportStatus


class Command(BaseCommand):
    help = "导入人口台账（persons），或继续一次中断的导入（resume）"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        persons = sub.add_parser("persons", help="导入人口台账 .xlsx/.xls/.ods/.csv")
        persons.add_argument("file", type=Path)
        persons.add_argument("--community", required=True, help="社区的 12 位行政区划代码或名称")
        persons.add_argument(
            "--all-or-nothing", action="store_true", help="有任何错误行则什么都不导入"
        )
        persons.add_argument("--dry-run", action="store_true", help="只校验，不写入")
        persons.add_argument(
            "--no-create-places", action="store_true", help="小区/楼栋/房屋不存在时拒绝该行"
        )
        again = sub.add_parser("resume", help="继续一次中断的导入")
        again.add_argument("job", type=int, help="导入任务编号")
        sub.add_parser(
            "purge", help="删除结束已超过保留期限（SHEQUTONG_UPLOAD_RETENTION_DAYS）的上传文件"
        )

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        if what == "purge":
            purged = uploads_purge()
            self.stdout.write(f"已删除 {purged} 个导入结束已超过保留期限的上传文件")
            return
        if what == "resume":
            job = ImportJob.objects.filter(pk=options["job"]).first()
            if job is None:
                raise CommandError(f"没有编号为 {options['job']} 的导入任务")
            try:
                job = resume(job)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self._summary(job.counts, job.error)
            return
        self._persons(**options)

    def _community(self, key: str) -> Area:
        found = Area.objects.filter(level=AreaLevel.COMMUNITY, code=key).first() or (
            Area.objects.filter(level=AreaLevel.COMMUNITY, name=key).first()
        )
        if found is None:
            raise CommandError(f"找不到社区“{key}”：请给出社区的 12 位代码或准确名称")
        return found

    def _persons(self, *, file: Path, community: str, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}")
        area = self._community(community)
        total = count_rows(file)
        job = None
        if not options["dry_run"]:
            job = ImportJob(
                area=area,
                original_name=file.name,
                mode=ImportMode.ALL_OR_NOTHING
                if options["all_or_nothing"]
                else ImportMode.VALID_ROWS,
                create_places=not options["no_create_places"],
                dry_run=False,
                status=ImportStatus.RUNNING,
                total_rows=total or 0,
            )
            with file.open("rb") as handle:
                job.file.save(file.name, File(handle), save=False)
            job.save()
            self.stdout.write(
                f"导入任务 {job.pk}：中断后可用 shequtong import resume {job.pk} 继续"
            )

        def progress(rows: int) -> None:
            shown = (
                f"{rows}/{total - 1} 行 ({100 * rows // max(total - 1, 1)}%)"
                if total
                else f"{rows} 行"
            )
            sys.stderr.write(f"\r已处理 {shown}")
            sys.stderr.flush()

        try:
            report = PersonImport(
                community=area,
                actor=None,
                create_places=not options["no_create_places"],
                all_or_nothing=options["all_or_nothing"],
                dry_run=options["dry_run"],
                job=job,
                progress=progress,
            ).run(file)
        except DomainError as exc:
            if job is not None:
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportStatus.FAILED, error=exc.message
                )
            raise CommandError(exc.message) from exc
        sys.stderr.write("\n")
        if job is not None:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.DONE if report.committed else ImportStatus.FAILED,
                counts=report.counts,
                rows_done=report.counts["rows"],
                rejected=[
                    {"row": r.row, "errors": [list(e) for e in r.errors]} for r in report.rejected
                ],
            )
        self._report(report)

    def _report(self, report: ImportReport) -> None:
        for note in report.notes:
            self.stdout.write(note)
        for rejected in report.rejected[:200]:
            for column, message in rejected.errors:
                self.stderr.write(f"第 {rejected.row} 行 {column}：{message}")
        if len(report.rejected) > 200:
            self.stderr.write(f"……共 {report.counts['rejected']} 行有错误")
        error = "" if report.committed or not report.counts["rejected"] else "未写入任何数据"
        self._summary(report.counts, error)
        if report.counts["rejected"]:
            raise CommandError(f"{report.counts['rejected']} 行被拒绝")

    def _summary(self, counts: dict[str, int], error: str) -> None:
        self.stdout.write(
            "共 {rows} 行：新增 {new}，更新 {updated}，未变 {unchanged}，错误 {rejected}，"
            "新建房屋 {places}".format(
                **{
                    k: counts.get(k, 0)
                    for k in ("rows", "new", "updated", "unchanged", "rejected", "places")
                }
            )
        )
        if error:
            self.stderr.write(error)
