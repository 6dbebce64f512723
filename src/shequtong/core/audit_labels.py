"""The audit log in words an auditor reads: Chinese names for the action codes and field labels
for the changes. Codes stay in the chain (they are what it seals); names are given at display.

Each app names its own actions (`register_action_labels` in its `ready()`), so core knows no
domain app; a generic `<model>.create|update|export…` is named from the model's verbose name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

ACTION_LABELS: dict[str, str] = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    "auth.locked_out": "账号锁定",
    "auth.totp_enrol": "绑定双因素认证",
    "grant.create": "授予角色",
    "grant.revoke": "撤销授权",
    "user.create": "新增人员",
    "department.create": "新增部门",
    "area.update": "修改区划",
    "area.import": "导入区划",
    "token.create": "创建 API 令牌",
    "token.revoke": "撤销 API 令牌",
    "calendar.override": "调整工作日",
    "calendar.notice": "导入放假安排",
    "vault.rotate": "轮换数据密钥",
    "audit.prune": "清理过期审计日志",
    "demo.seed": "载入演示数据",
}
# pii.reveal is named by the field revealed: 查看身份证号, 查看联系电话.
REVEAL = "pii.reveal"
# Every `<model>.export` and `.export_full`, as one choice of the filter.
EXPORTS = "*.export"
_VERBS = {
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "export": "导出",
    "export_full": "全量导出",
    "import": "导入",
}
# Keys some services record that are not a model's field.
_KEYS = {
    "field": "字段",
    "filters": "筛选条件",
    "purpose": "用途",
    "status": "状态",
    "area": "所属区域",
    "count": "条数",
}


def register_action_labels(labels: Mapping[str, str]) -> None:
    ACTION_LABELS.update(labels)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except LookupError:
        return None


def _named_model(model_name: str) -> type[models.Model] | None:
    return next((m for m in apps.get_models() if m._meta.model_name == model_name), None)


def field_label(object_type: str, field: str) -> str:
    model = _model(object_type)
    if model is not None:
        try:
            return str(model._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            pass
    return _KEYS.get(field, field)


def action_label(action: str, object_type: str = "", changes: Any = None) -> str:
    """查看身份证号 for a reveal of `id_number`; the registered name; 修改居民 for
    `person.update`; else the code itself (an action nobody named yet stays findable)."""
    if action == REVEAL and isinstance(changes, dict):
        field = (changes.get("field") or [None, ""])[-1]
        return f"查看{field_label(object_type, str(field))}" if field else "查看个人信息"
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    model_name, _, verb = action.partition(".")
    model = _named_model(model_name)
    if model is not None and verb in _VERBS:
        return f"{_VERBS[verb]}{model._meta.verbose_name}"
    return action


def reveal_choices() -> list[tuple[str, str]]:
    """The reveals worth a filter of their own, one per encrypted field of each model:
    `pii.reveal:registry.person:id_number` is 查看身份证号; a field name several models
    share is told apart by the model (查看手机号（用户）, 查看联系电话（居民）)."""
    fields = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "mask", None)
    ]
    shared = {f.name for _, f in fields if sum(g.name == f.name for _, g in fields) > 1}
    choices = []
    for model, field in fields:
        label = f"查看{field.verbose_name}"
        if field.name in shared:
            label += f"（{model._meta.verbose_name}）"
        choices.append((f"{REVEAL}:{model._meta.label_lower}:{field.name}", label))
    return sorted(choices, key=lambda item: item[1])


def action_choices() -> list[tuple[str, str]]:
    """What the audit log's 动作 filter offers: every named action, reveals by field."""
    named = sorted(ACTION_LABELS.items(), key=lambda item: item[1])
    wide = [("", "全部动作"), (REVEAL, "查看个人信息（全部）"), (EXPORTS, "导出（全部）")]
    return [*wide, *reveal_choices(), *named]
