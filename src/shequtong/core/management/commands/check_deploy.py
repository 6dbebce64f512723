"""`shequtong check-deploy`: refuse a production deployment that still runs on demo defaults.

Every reason is listed at once, so the operator fixes the environment in one pass. Django's own
`check --deploy` runs too: its errors fail the check; its warnings are shown, except those this
command already reports in Chinese (DEBUG, SECRET_KEY, HTTPS, HSTS, ALLOWED_HOSTS).

A SQLite database is a warning, not a failure: the embedded SQLite default is a supported way
to run one street office on one machine (docs/ARCHITECTURE.md); a whole district belongs on
PostgreSQL, and the warning says so.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core import checks
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from shequtong.core import vault
from shequtong.core.calendar import provisional_years

MIN_SECRET_KEY = 50
MIN_HMAC_KEY = 32
MIN_HSTS_SECONDS = 31_536_000  # one year
MIN_AUDIT_RETENTION_DAYS = 180  # 网络安全法 art. 21: logs kept at least six months

# Django deployment checks this command reports itself, in Chinese and as failures.
_COVERED_BY_US = {
    "security.W004",  # SECURE_HSTS_SECONDS
    "security.W008",  # SECURE_SSL_REDIRECT
    "security.W009",  # SECRET_KEY
    "security.W012",  # SESSION_COOKIE_SECURE
    "security.W016",  # CSRF_COOKIE_SECURE
    "security.W018",  # DEBUG
    "security.W020",  # ALLOWED_HOSTS
}


def _key_bytes(spec: str) -> set[bytes]:
    """The raw keys of a "kid:base64,…" spec; entries that do not decode are left out."""
    keys: set[bytes] = set()
    for item in filter(None, (part.strip() for part in spec.split(","))):
        try:
            keys.add(base64.b64decode(item.partition(":")[2], validate=True))
        except (binascii.Error, ValueError):
            continue
    return keys


def _key_problems(setting: str, demo_spec: str, what: str) -> list[str]:
    spec = getattr(settings, setting, "") or ""
    if not spec.strip():
        return [f"未配置密钥 {setting}：{what}"]
    try:
        vault.parse_key_spec(spec, setting)
    except Exception as exc:  # ImproperlyConfigured, or base64 that does not decode
        return [f"密钥 {setting} 无法解析：{exc}"]
    if _key_bytes(spec) & _key_bytes(demo_spec):
        return [f"密钥 {setting} 含有公开的演示密钥：须生成新密钥"]
    return []


def _audit_problems() -> list[str]:
    problems = _key_problems(
        "SHEQUTONG_AUDIT_KEYS", settings.DEMO_AUDIT_KEYS, "审计日志无法防篡改封链"
    )
    if _key_bytes(settings.SHEQUTONG_AUDIT_KEYS or "") & _key_bytes(settings.SHEQUTONG_DATA_KEYS):
        problems.append("审计密钥与数据密钥相同：两者须各自生成，分开保管")
    days = settings.SHEQUTONG_AUDIT_RETENTION_DAYS
    if days < MIN_AUDIT_RETENTION_DAYS:
        problems.append(
            f"审计日志保存期限 {days} 天：网络安全法要求不少于六个月"
            f"（SHEQUTONG_AUDIT_RETENTION_DAYS 至少 {MIN_AUDIT_RETENTION_DAYS}）"
        )
    return problems


def _static_problems() -> list[str]:
    """Production serves hashed static files from a manifest `collectstatic` writes; without
    it every page, the error pages' usual form included, fails on the first stylesheet."""
    try:
        staticfiles_storage.url("web/shequtong.css")
    except ValueError:
        return [
            "静态文件未收集：请运行 shequtong collectstatic --noinput"
            f"（目标目录 {settings.STATIC_ROOT}）"
        ]
    return []


def _https_problems() -> list[str]:
    names = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT")
    off = [name for name in names if not getattr(settings, name, False)]
    if not off:
        return []
    return [f"未启用 HTTPS（设置 SHEQUTONG_HTTPS=true）：{'、'.join(off)} 为 false"]


def _django_checks() -> tuple[list[str], list[str]]:
    """Errors and warnings of Django's `check --deploy`, minus the ones reported above."""
    failures: list[str] = []
    warnings: list[str] = []
    for message in checks.run_checks(include_deployment_checks=True):
        if message.is_silenced() or message.id in _COVERED_BY_US:
            continue
        text = f"Django 检查 {message.id}：{message.msg}"
        if message.hint:
            text += f"（{message.hint}）"
        (failures if message.is_serious(checks.ERROR) else warnings).append(text)
    return failures, warnings


def _calendar_warnings(today: date) -> list[str]:
    """This year when its 调休 is unknown; next year too from November, when the State
    Council's notice is due and deadlines set now start to fall in it."""
    years = [today.year, today.year + 1] if today.month >= 11 else [today.year]
    try:
        provisional = provisional_years(date(year, 1, 1) for year in years)
    except DatabaseError:  # checked before the first `migrate`: no table to read yet
        return ["无法读取工作日历的年度放假安排（数据库尚未迁移？）"]
    return [
        f"{year} 年的调休安排尚未导入：该年的办结时限暂按法定节假日和周末计算。国务院办公厅公布"
        f"通知后，请在“工作日历”中导入（或 shequtong import-holidays），或升级 chinesecalendar"
        for year in provisional
    ]


def deploy_problems() -> tuple[list[str], list[str]]:
    """(failures, warnings) of the running settings, each a sentence in Chinese."""
    failures: list[str] = []
    warnings: list[str] = []
    if settings.MODE != "production":
        failures.append(
            f"SHEQUTONG_MODE 为 {settings.MODE}：生产部署须为 production"
            "（demo/test 带有公开的演示密钥）"
        )
    if settings.DEBUG:
        failures.append(
            "DEBUG 已开启：生产环境必须关闭（DJANGO_DEBUG=false），否则出错时会泄露配置与数据"
        )
    secret = settings.SECRET_KEY or ""
    if secret == settings.DEMO_SECRET_KEY:
        failures.append("DJANGO_SECRET_KEY 是公开的演示密钥：须生成新的随机密钥")
    elif len(secret) < MIN_SECRET_KEY:
        failures.append(f"DJANGO_SECRET_KEY 过短：{len(secret)} 个字符，至少 {MIN_SECRET_KEY} 个")
    failures.extend(
        _key_problems("SHEQUTONG_DATA_KEYS", settings.DEMO_DATA_KEYS, "身份证号、手机号无法加密")
    )
    failures.extend(_audit_problems())
    hmac_key = getattr(settings, "SHEQUTONG_HMAC_KEY", "") or ""
    if hmac_key == settings.DEMO_HMAC_KEY:
        failures.append("SHEQUTONG_HMAC_KEY 是公开的演示密钥：须生成新的随机密钥")
    elif len(hmac_key) < MIN_HMAC_KEY:
        failures.append(f"SHEQUTONG_HMAC_KEY 过短：{len(hmac_key)} 个字符，至少 {MIN_HMAC_KEY} 个")
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts:
        failures.append("ALLOWED_HOSTS 为空：须在 DJANGO_ALLOWED_HOSTS 中列出本系统的域名")
    elif "*" in hosts:
        failures.append("ALLOWED_HOSTS 含有 “*”：须只列出本系统的域名")
    failures.extend(_https_problems())
    failures.extend(_static_problems())
    hsts = settings.SECURE_HSTS_SECONDS or 0
    if hsts < MIN_HSTS_SECONDS:
        failures.append(
            f"HSTS 时长为 {hsts} 秒：须至少 {MIN_HSTS_SECONDS} 秒（SHEQUTONG_HSTS_SECONDS）"
        )
    if not getattr(settings, "SHEQUTONG_REQUIRE_2FA", False):
        failures.append("未要求管理员启用双因素认证：须设置 SHEQUTONG_REQUIRE_2FA=true")
    for alias, database in settings.DATABASES.items():
        if database["ENGINE"] == "django.db.backends.sqlite3":
            warnings.append(
                f"数据库 {alias} 为 SQLite：只适合单机、少量用户；全区部署请使用 PostgreSQL"
                "（DATABASE_URL）"
            )
    django_failures, django_warnings = _django_checks()
    failures.extend(django_failures)
    warnings.extend(django_warnings)
    warnings.extend(_calendar_warnings(timezone.localdate()))
    return failures, warnings


class Command(BaseCommand):
    help = "检查生产部署的安全设置；有任何问题时列出全部原因并以非零状态退出。"
    # The checks are this command's subject: run them itself and report them, never abort first.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        failures, warnings = deploy_problems()
        for warning in warnings:
            self.stdout.write(self.style.WARNING(f"警告：{warning}"))
        if failures:
            lines = "\n".join(f"  - {reason}" for reason in failures)
            raise CommandError(f"部署检查未通过（{len(failures)} 项）：\n{lines}")
        self.stdout.write(self.style.SUCCESS("通过"))
