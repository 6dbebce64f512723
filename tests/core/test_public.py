"""The one rule for what the public may see: places to the building, text without numbers,
doors or names."""

from __future__ import annotations

import pytest

from shequtong.core.public import (
    contains_door,
    name_candidates,
    neighbour_view,
    public_place,
    public_text,
)


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("阳光小区5栋1单元101", "阳光小区5栋"),
        ("阳光小区５栋１单元１０１", "阳光小区5栋"),  # typed with a Chinese input method
        ("滨江花园3号楼2单元1502室", "滨江花园3号楼"),
        ("幸福里小区B座", "幸福里小区B座"),
        ("金沙苑2-1-1203", "金沙苑"),
        ("杨家坪正街12号3楼302", "杨家坪正街12号"),
        ("西郊路88号附1号", "西郊路88号"),
        ("重庆市九龙坡区杨家坪正街1号", "重庆市九龙坡区杨家坪正街1号"),
        ("1单元302", ""),
        ("", ""),
    ],
)
def test_a_place_is_shown_to_the_building_or_the_street(address, shown):
    assert public_place(address) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "阳光小区5栋1单元101的住户王阿姨说楼道堆满杂物，电话13800138000",
            "阳光小区5栋的住户某阿姨说楼道堆满杂物，电话＊＊",
        ),
        ("2-1-1203漏水到楼下，联系人李先生 023-68881234", "＊＊漏水到楼下，联系人某先生 ＊＊"),
        ("身份证 11010519491231002X 的人", "身份证 ＊＊ 的人"),
        ("联系 zhang.san@example.com", "联系 ＊＊"),
        ("3单元502门口堆满纸箱", "＊＊门口堆满纸箱"),
        # What the public needs to read stays: a unit's stairway, counts, days, the street.
        ("3单元楼道堆满纸箱，消防通道被堵", "3单元楼道堆满纸箱，消防通道被堵"),
        ("共享单车乱停在路口，至少20辆，已经3天了", "共享单车乱停在路口，至少20辆，已经3天了"),
        ("黄金周期间西郊路88号垃圾没人收", "黄金周期间西郊路88号垃圾没人收"),
    ],
)
def test_text_loses_numbers_doors_and_honorific_names(text, shown):
    assert public_text(text) == shown


def test_known_names_are_taken_out_longest_first():
    text = "王军艳（独居）和王军的一键呼叫"
    assert public_text(text, names=["王军", "王军艳"]) == "某某（独居）和某某的一键呼叫"


def test_registered_sources_name_the_people_of_the_area(monkeypatch):
    from shequtong.core import public

    asked = []

    def source(text, area_path):
        asked.append(area_path)
        return ["赵大宝"] if "赵大宝" in text else []

    monkeypatch.setattr(public, "_NAME_SOURCES", [source])
    assert public_text("赵大宝家门口积水", area_path="/1/2/3/") == "某某家门口积水"
    assert asked == ["/1/2/3/"]
    assert public_text("赵大宝家门口积水") == "赵大宝家门口积水"  # no area: no source asked


def test_a_door_is_told_from_a_building_a_unit_or_a_street():
    assert contains_door("阳光小区5栋1单元101") and contains_door("5栋302")
    assert contains_door("杨家坪正街12号3楼302") and contains_door("金沙苑2-1-1203")
    assert not contains_door("阳光小区5栋1单元") and not contains_door("杨家坪正街12号")
    assert not contains_door("3单元楼道堆满纸箱")


def test_name_candidates_are_the_short_runs_of_chinese():
    assert name_candidates("张三说") == {"张三", "三说", "张三说"}
    assert name_candidates("a1") == set()


@pytest.mark.django_db
def test_a_neighbour_reads_the_surname_and_the_words_without_name_door_or_number():
    words = "我是李四，住1栋102，电话13912345678"
    assert neighbour_view(text=words, author="李四", area_path="/1/", own=True) == ("我", words)
    who, shown = neighbour_view(text=words, author="李四", area_path="/1/", own=False)
    assert who == "李*"
    assert "李四" not in shown and "102" not in shown and "13912345678" not in shown
