"""Care's audit actions in words (core.audit_labels)."""

from __future__ import annotations

from .alarms import MOVES

AUDIT_LABELS = {
    "care.profile_create": "建立照护档案",
    "care.consent": "登记监测同意",
    "care.consent_withdraw": "撤回监测同意",
    "care.health_notes": "修改健康备注",
    "care.thresholds": "修改告警阈值",
    "care.device_register": "绑定设备",
    "care.device_unbind": "解绑设备",
    "care.device_token_reset": "重置设备令牌",
    "care.alarm_dispatch": "告警派人上门",
    "care.visit_plan_create": "新增走访计划",
    "care.visit_plan_stop": "停用走访计划",
    "care.visit": "记录走访",
    "care.order_request": "申请助老服务",
    "care.order_assign": "派单助老服务",
    "care.order_complete": "完成助老服务",
    "care.order_rate": "评价助老服务",
    "care.order_cancel": "取消助老服务",
    **{f"care.alarm_{name}": f"告警{label}" for name, (label, _, _) in MOVES.items()},
}
