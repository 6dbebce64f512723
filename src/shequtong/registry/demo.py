"""Demo residents: a ledger for every demo community, generated deterministically and loaded
through the same import as a real ledger — so the demo exercises the import, and a tour
(search `zs`, open a building map) always finds the same people."""

from __future__ import annotations

import csv
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from stdnum.cn import ric

from shequtong.core.choices import AreaLevel
from shequtong.core.models import Area
from shequtong.core.selectors import in_tree_order

from .catalogue import load_tags
from .importing.persons import PersonImport
from .models import PersonTag

SEED = 2026
PEOPLE_PER_COMMUNITY = 150
# Codes residents' numbers carry: issued in Chongqing after 1997, or elsewhere before moving.
_REGIONS = ("500107", "500107", "500107", "500103", "500108", "510105", "511002", "420106")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英玉兰建华建国志强淑珍凤英"
_ESTATES = ("阳光小区", "和平苑", "幸福家园", "滨江花园", "铁路新村", "建设村")
_OTHER_TAGS = ("残疾人", "低保", "党员", "退役军人")
HEADER = [
    "姓名",
    "身份证号",
    "联系电话",
    "小区",
    "楼栋",
    "网格",
    "单元",
    "房号",
    "与户主关系",
    "人员类型",
    "特殊人群",
    "迁入日期",
]


def _id_number(rng: random.Random, born: date, female: bool, used: set[str]) -> str:
    while True:
        seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
        body = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{seq:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in used:
            used.add(number)
            return number


def _given(rng: random.Random) -> str:
    return rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")


def _household(rng: random.Random, today: date) -> list[tuple[str, int, bool]]:
    """(relationship, age, female) for the people of one door."""
    head_age = rng.randint(28, 92)
    people = [("户主", head_age, rng.random() < 0.5)]
    if head_age < 85 and rng.random() < 0.75:
        people.append(("配偶", max(20, head_age + rng.randint(-5, 5)), not people[0][2]))
    if head_age < 70:
        for _ in range(rng.choice((0, 1, 1, 2))):
            people.append((rng.choice(("子", "女")), rng.randint(1, max(1, head_age - 22)), False))
    return [(r, a, f if r not in ("子", "女") else r == "女") for r, a, f in people]


def ledger_rows(community: Area, grids: list[str], count: int, seed: int) -> list[list[str]]:
    """A community's ledger: households door by door, each building in one of its grids."""
    rng = random.Random(f"{seed}:{community.code or community.name}")
    today = date(2026, 11, 1)  # fixed: the same ledger on any day
    used: set[str] = set()
    rows: list[list[str]] = []
    estates = rng.sample(_ESTATES, 2)
    door = 0
    while len(rows) < count:
        door += 1
        estate_index, number = door % 2, door // 2 % 5 + 1
        unit, floor, side = door // 10 % 2 + 1, door // 20 % 6 + 1, door % 3 + 1
        grid = grids[(estate_index * 5 + number - 1) % len(grids)] if grids else ""
        surname = rng.choice(_SURNAMES)
        household = _household(rng, today)
        # 独居 is a door of one; 空巢 a door of old people only (the children live elsewhere).
        situation = (
            "独居老人"
            if len(household) == 1
            else "空巢老人"
            if all(age >= 60 for _, age, _ in household)
            else None
        )
        for relationship, age, female in household:
            born = today - timedelta(days=365 * age + rng.randrange(365))
            tags = []
            if age >= 80:
                tags.append("80岁以上高龄")
            if situation and age >= 65 and rng.random() < 0.8:
                tags.append(situation)
            if rng.random() < 0.08:
                tags.append(rng.choice(_OTHER_TAGS))
            own = rng.choice(_SURNAMES) if relationship == "配偶" else surname
            rows.append(
                [
                    own + _given(rng),
                    _id_number(rng, born, female, used),
                    f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                    estates[estate_index],
                    f"{number}栋",
                    grid,
                    str(unit),
                    f"{floor}0{side}",
                    relationship,
                    "流动" if rng.random() < 0.12 else "户籍",
                    "、".join(tags),
                    (today - timedelta(days=rng.randrange(30, 9000))).isoformat(),
                ]
            )
    return rows[:count]


def seed_residents(district: Area, scale: int) -> None:
    """One ledger per community, imported as the system."""
    # The catalogue comes with the migrations; a database emptied since gets it back.
    load_tags(PersonTag)
    communities = Area.objects.filter(path__startswith=district.path, level=AreaLevel.COMMUNITY)
    with tempfile.TemporaryDirectory() as folder:
        for community in in_tree_order(communities):
            path = Path(folder) / f"{community.name}.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(HEADER)
                grids = [
                    g.name
                    for g in in_tree_order(
                        Area.objects.filter(parent=community, level=AreaLevel.GRID)
                    )
                ]
                count = PEOPLE_PER_COMMUNITY * scale
                writer.writerows(ledger_rows(community, grids, count, SEED))
            PersonImport(community=community, actor=None).run(path)
