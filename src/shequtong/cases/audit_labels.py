"""The case workflow's audit actions in words (core.audit_labels): every transition by its
label, and the steps that are not transitions."""

from __future__ import annotations

from .workflow import TRANSITIONS

AUDIT_LABELS = {
    "case.report": "上报事件",
    "case.merge": "合并事件",
    "case.merged": "并入重复事件",
    "case.reclassify": "更改事件类别",
    "case.report_in": "部门报到",
    "case.object": "部门提出异议",
    "case.review_objection": "审核部门异议",
    "case.extension": "申请延期",
    "case.extension_decided": "审批延期",
    "case.hazard": "登记隐患信息",
    "case.rate": "居民评价",
    "case.reopen": "居民不满意重办",
    "case.supervise": "督办",
    "case.party": "登记纠纷当事人",
    "case.mediation": "记录调解",
    "case.concluded": "调解结束",
    **{f"case.{name}": f"事件{t.label}" for name, t in TRANSITIONS.items()},
}
