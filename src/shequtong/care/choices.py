"""Choice sets of elderly care (智慧养老): stored values in English, labels Chinese."""

from django.db import models


class CareLevel(models.TextChoices):
    SELF_CARE = "self_care", "能自理"
    PARTIAL = "partial", "半失能"
    DEPENDENT = "dependent", "失能"


class Living(models.TextChoices):
    ALONE = "alone", "独居"
    EMPTY_NEST = "empty_nest", "空巢"
    FAMILY = "family", "与家人同住"


class ContactKind(models.TextChoices):
    FAMILY = "family", "家属"
    NEIGHBOUR = "neighbour", "邻居"
    GRID_WORKER = "grid_worker", "网格员"
    STAFF = "staff", "社区工作者"
    VOLUNTEER = "volunteer", "志愿者"


class DeviceKind(models.TextChoices):
    WEARABLE = "wearable", "智能手环/手表"
    SOS_BUTTON = "sos_button", "一键呼叫按钮"
    DOOR_SENSOR = "door_sensor", "门磁"
    SMOKE = "smoke", "烟感"
    GAS = "gas", "燃气报警器"
    WATER_METER = "water_meter", "智能水表"


class AlarmKind(models.TextChoices):
    SOS = "sos", "一键呼叫"
    FALL = "fall", "跌倒"
    HEART_RATE = "heart_rate", "心率异常"
    SPO2 = "spo2", "血氧过低"
    SMOKE = "smoke", "烟雾报警"
    GAS = "gas", "燃气泄漏"
    NO_ACTIVITY = "no_activity", "长时间无活动"
    GEOFENCE = "geofence", "离开安全区域"
    OFFLINE = "offline", "设备离线"


class AlarmStatus(models.TextChoices):
    RAISED = "raised", "新告警"
    NOTIFYING = "notifying", "通知中"
    ACKNOWLEDGED = "acknowledged", "已响应"
    ON_SITE = "on_site", "已到场"
    RESOLVED = "resolved", "已处置"


OPEN_ALARMS = frozenset(
    {AlarmStatus.RAISED, AlarmStatus.NOTIFYING, AlarmStatus.ACKNOWLEDGED, AlarmStatus.ON_SITE}
)


class AlarmOutcome(models.TextChoices):
    FALSE_ALARM = "false_alarm", "误报"
    HANDLED = "handled", "现场处置"
    HOSPITAL = "hospital", "送医"
    RECOVERED = "recovered", "设备恢复上报"
    OTHER = "other", "其他"


class VisitFinding(models.TextChoices):
    WELL = "well", "情况良好"
    NEEDS_HELP = "needs_help", "需要帮助"
    ABSENT = "absent", "未见到本人"


class CareService(models.TextChoices):
    """The six home services of the policy (助餐、助洁、助急、助浴、助医、助行)."""

    MEAL = "meal", "助餐"
    CLEANING = "cleaning", "助洁"
    EMERGENCY = "emergency", "助急"
    BATH = "bath", "助浴"
    MEDICAL = "medical", "助医"
    MOBILITY = "mobility", "助行"


class CareOrderStatus(models.TextChoices):
    REQUESTED = "requested", "待派单"
    ASSIGNED = "assigned", "已派单"
    COMPLETED = "completed", "已完成"
    RATED = "rated", "已评价"
    CANCELLED = "cancelled", "已取消"
