"""The registry's audit actions in words (core.audit_labels); person.create/update and the
exports are named from the models."""

from __future__ import annotations

AUDIT_LABELS = {
    "person.tag_add": "添加人群标签",
    "person.tag_end": "结束人群标签",
    "person.moved_out": "登记迁出",
    "person.deceased": "登记死亡",
    "person.import": "导入居民",
    "dwelling.import": "导入房屋",
    "building.place": "楼栋归入网格",
    "import.upload": "上传台账",
    "import.columns": "保存台账列对应",
    "import.confirm": "确认导入台账",
    "import.resume": "继续导入台账",
    "import.rejected_download": "下载未导入的行",
}
