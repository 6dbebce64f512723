"""The default category tree a new deployment starts with; district admins edit it after.

城市管理 follows the big classes of GB/T 30428.2 (数字化城市管理信息系统 第2部分：管理部件和事件)
— 市容环境, 宣传广告, 施工管理, 街面秩序, 突发事件, 扩展 — with the small classes communities
meet most. Hazards need an after photo to be resolved; disputes stay with the community; the
hotline's five kinds keep the 12345 platform's own words. Keywords are the classifier's cold
start. Plain data, so that a migration can load it without importing models.
"""

from __future__ import annotations

# (code, name, handler level, priority, deadline in working days, keywords)
Leaf = tuple[str, str, str, int, int, str]

TREE: list[tuple[str, str, str, list[Leaf]]] = [
    (
        "city-environment",
        "市容环境",
        "city",
        [
            ("city-garbage", "暴露垃圾", "grid", 2, 2, "垃圾 堆积 垃圾桶 满溢 清运 臭"),
            ("city-dirty-road", "道路不洁", "grid", 2, 2, "路面 脏 污水 油污 泥土 清扫"),
            ("city-debris", "乱堆物料", "grid", 2, 3, "堆放 杂物 建筑垃圾 占道 堆物"),
            ("city-greening", "绿化破坏", "community", 1, 5, "绿化 树木 草坪 砍伐 枯死 修剪"),
        ],
    ),
    (
        "city-advertising",
        "宣传广告",
        "city",
        [
            ("city-flyers", "违规张贴小广告", "grid", 1, 3, "小广告 张贴 涂写 牛皮癣 喷涂"),
            ("city-signboard", "违规户外广告", "community", 2, 5, "广告牌 招牌 横幅 灯箱"),
        ],
    ),
    (
        "city-construction",
        "施工管理",
        "city",
        [
            ("city-noise-night", "夜间施工扰民", "subdistrict", 3, 2, "施工 噪音 夜间 扰民 工地"),
            ("city-dust", "施工扬尘", "subdistrict", 2, 3, "扬尘 灰尘 渣土 遮盖 洒水"),
            ("city-illegal-building", "违法建设", "subdistrict", 2, 10, "违建 搭建 加建 违章"),
        ],
    ),
    (
        "city-order",
        "街面秩序",
        "city",
        [
            ("city-stalls", "占道经营", "grid", 2, 2, "摊贩 占道 经营 夜市 流动摊"),
            ("city-parking", "乱停乱放", "grid", 2, 2, "乱停 停车 共享单车 电动车 堵路"),
        ],
    ),
    (
        "city-emergency",
        "突发事件",
        "city",
        [
            ("city-waterlogging", "道路积水", "community", 4, 1, "积水 内涝 下水道 暴雨 淹"),
            ("city-manhole", "井盖缺损", "grid", 4, 1, "井盖 缺失 破损 窨井"),
            ("city-pipe-burst", "管道破裂", "community", 4, 1, "爆管 漏水 水管 破裂"),
        ],
    ),
    (
        "city-other",
        "扩展",
        "city",
        [("city-misc", "其他城市管理问题", "community", 2, 5, "")],
    ),
    (
        "hazard",
        "安全隐患",
        "hazard",
        [
            (
                "hazard-fire-escape",
                "消防通道堵塞",
                "grid",
                3,
                2,
                "消防通道 安全出口 堵塞 楼道 堆放",
            ),
            ("hazard-ebike-charging", "电动车违规充电", "grid", 3, 2, "电动车 充电 飞线 楼道 电瓶"),
            ("hazard-gas", "燃气隐患", "community", 4, 1, "燃气 煤气 漏气 气味 液化气"),
            ("hazard-falling", "高空坠物隐患", "community", 3, 3, "高空 坠物 外墙 脱落 花盆"),
            ("hazard-building", "房屋安全隐患", "subdistrict", 3, 5, "裂缝 危房 倾斜 墙体 房屋"),
            ("hazard-other", "其他安全隐患", "community", 3, 3, "隐患 危险 安全"),
        ],
    ),
    (
        "livelihood",
        "民生服务",
        "livelihood",
        [
            ("life-property", "物业服务", "community", 2, 5, "物业 电梯 保安 保洁 门禁"),
            ("life-utilities", "水电气暖", "community", 3, 3, "停水 停电 水压 供暖 电表"),
            ("life-elderly", "养老助老", "community", 2, 3, "老人 独居 养老 助餐 看望"),
            ("life-help", "邻里求助", "grid", 2, 2, "帮忙 求助 困难 帮扶"),
        ],
    ),
    (
        "dispute",
        "矛盾纠纷",
        "dispute",
        [
            ("dispute-neighbour", "邻里纠纷", "community", 2, 10, "邻居 噪音 漏水 纠纷 吵架"),
            ("dispute-family", "婚姻家庭纠纷", "community", 2, 10, "家庭 婚姻 赡养 抚养 家暴"),
            ("dispute-property", "物业纠纷", "community", 2, 10, "物业费 业委会 物业 纠纷"),
            ("dispute-labour", "劳资纠纷", "subdistrict", 3, 10, "工资 拖欠 欠薪 劳动 老板"),
            ("dispute-other", "其他纠纷", "community", 2, 10, "纠纷 矛盾"),
        ],
    ),
    (
        "hotline",
        "12345 诉求",
        "hotline",
        [
            ("hotline-consult", "咨询", "community", 1, 3, "咨询 请问 怎么办 政策"),
            ("hotline-complaint", "投诉", "community", 2, 5, "投诉 不满 反映"),
            ("hotline-help", "求助", "community", 3, 2, "求助 帮助 紧急"),
            ("hotline-suggest", "建议", "community", 1, 10, "建议 希望 增加"),
            ("hotline-report", "举报", "community", 2, 5, "举报 违法 非法"),
        ],
    ),
]


# Categories whose cases no public page shows (Open311 lists them for filing, never their
# cases): care matters and a neighbour asking for help concern a person; a gas hazard is at a
# home; a 12345 order quotes the caller. Disputes are never public whatever the flag says
# (人民调解法 art. 15: mediation is confidential; see cases/public.py).
NOT_PUBLIC = frozenset(
    {"life-elderly", "life-help", "hazard-gas"}
    | {
        leaf[0]
        for code, _, kind, leaves in TREE
        if kind in ("dispute", "hotline")
        for leaf in leaves
    }
)


HAZARD_GRADE = {
    "code": "grade",
    "description": "隐患等级",
    "datatype": "singlevaluelist",
    "required": False,
    "values": [{"key": "general", "name": "一般隐患"}, {"key": "major", "name": "重大隐患"}],
}


def load(category_model: type, attribute_model: type | None = None) -> int:
    """Create the tree once; existing codes are left as the deployment changed them.
    Hazards ask for their grade (一般/重大), as the 隐患排查治理 register records it."""
    made = 0
    # The migration that first loads the tree runs before categories had the flag.
    flagged = any(f.name == "public" for f in category_model._meta.get_fields())
    for order, (code, name, kind, leaves) in enumerate(TREE):
        parent, created = category_model.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "order": order * 100},
        )
        made += created
        for offset, (leaf, leaf_name, level, priority, days, keywords) in enumerate(leaves, 1):
            public = {"public": leaf not in NOT_PUBLIC} if flagged else {}
            category, created = category_model.objects.get_or_create(
                code=leaf,
                defaults=public
                | {
                    "parent": parent,
                    "name": leaf_name,
                    "kind": kind,
                    "handler_level": level,
                    "priority": priority,
                    "deadline_days": days,
                    "keywords": keywords,
                    "needs_after_photo": kind == "hazard",
                    "order": order * 100 + offset,
                },
            )
            made += created
            if created and kind == "hazard" and attribute_model is not None:
                attribute_model.objects.create(category=category, **HAZARD_GRADE)
    return made
