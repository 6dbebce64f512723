"""Coordinates from phones and hotline exports, converted to the WGS-84 the platform stores."""

from __future__ import annotations

import math
import warnings

import prcoords
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shequtong.core.errors import DomainError
from shequtong.core.geo import CoordSystem, distance_m, parse_point, to_wgs84

# 解放碑, Chongqing, as a GPS receiver reports it.
JIEFANGBEI = (106.5516, 29.5630)


def gcj_of(lon: float, lat: float) -> tuple[float, float]:
    gcj = prcoords.wgs_gcj(prcoords.Coords(lat, lon))
    return gcj.lon, gcj.lat


def bd_of(lon: float, lat: float) -> tuple[float, float]:
    bd = prcoords.wgs_bd(prcoords.Coords(lat, lon))
    return bd.lon, bd.lat


def test_a_gcj02_point_from_amap_or_wechat_comes_back_to_its_gps_position():
    lon, lat = to_wgs84(*gcj_of(*JIEFANGBEI), CoordSystem.GCJ02)
    assert lon == pytest.approx(JIEFANGBEI[0], abs=1e-6)
    assert lat == pytest.approx(JIEFANGBEI[1], abs=1e-6)


def test_a_bd09_point_from_baidu_comes_back_to_its_gps_position():
    lon, lat = to_wgs84(*bd_of(*JIEFANGBEI), "bd09")
    assert lon == pytest.approx(JIEFANGBEI[0], abs=1e-6)
    assert lat == pytest.approx(JIEFANGBEI[1], abs=1e-6)


def test_the_offsets_are_large_enough_to_matter():
    # Why conversion is not optional: stored raw, a report lands half a kilometre away.
    assert 300 < distance_m(*JIEFANGBEI, *gcj_of(*JIEFANGBEI)) < 700
    assert distance_m(*JIEFANGBEI, *bd_of(*JIEFANGBEI)) > 700


@given(
    lon=st.floats(min_value=73.5, max_value=134.7),
    lat=st.floats(min_value=18.2, max_value=53.5),
)
def test_the_precise_inverse_is_exact_to_a_few_centimetres_anywhere_in_china(lon, lat):
    # The iteration stops within a centimetre or so; rounding to 7 decimals adds up to ~1 cm.
    for forward, system in ((gcj_of, "gcj02"), (bd_of, "bd09")):
        back = to_wgs84(*forward(lon, lat), system)
        assert distance_m(lon, lat, *back) < 0.05


def test_wgs84_is_only_rounded_to_seven_decimals():
    assert to_wgs84(106.55160004, 29.56300006, "wgs84") == (106.5516, 29.5630001)


def test_system_names_are_read_as_exports_spell_them():
    expected = to_wgs84(*gcj_of(*JIEFANGBEI), "gcj02")
    assert to_wgs84(*gcj_of(*JIEFANGBEI), " GCJ-02 ") == expected
    assert to_wgs84(*JIEFANGBEI, "WGS_84") == JIEFANGBEI


def test_gcj02_outside_china_is_returned_unchanged_and_quietly():
    # prcoords' precise inverse would warn "returning as-is" and then shift Paris by 1.4 km.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert to_wgs84(2.3522, 48.8566, "gcj02") == (2.3522, 48.8566)
        # Outside China Baidu applies only its own offset, so only that is taken off.
        lon, lat = to_wgs84(*prcoords.gcj_bd(prcoords.Coords(48.8566, 2.3522))[::-1], "bd09")
    assert (lon, lat) == pytest.approx((2.3522, 48.8566), abs=1e-6)


def test_bd09_at_the_antimeridian_stays_a_valid_longitude():
    lon, lat = to_wgs84(-180, -90, "bd09")
    assert -180 <= lon <= 180 and -90 <= lat <= 90


@pytest.mark.parametrize(
    ("lon", "lat", "system", "field", "message"),
    [
        (180.5, 29.5, "wgs84", "lon", "经度应在 -180 到 180 之间"),
        (106.5, -91, "wgs84", "lat", "纬度应在 -90 到 90 之间"),
        (math.nan, 29.5, "wgs84", "lon", "经度不是有效的数字"),
        (106.5, math.inf, "gcj02", "lat", "纬度不是有效的数字"),
        (106.5, "29.5", "wgs84", "lat", "纬度不是数字"),
        (True, 29.5, "wgs84", "lon", "经度不是数字"),
        (106.5, 29.5, "cgcs2000", "coord_system", "坐标系只能是 WGS-84、GCJ-02 或 BD-09"),
    ],
)
def test_bad_input_says_which_field_is_wrong(lon, lat, system, field, message):
    with pytest.raises(DomainError) as caught:
        to_wgs84(lon, lat, system)
    assert caught.value.code == "invalid"
    assert caught.value.message == message
    assert caught.value.fields == {field: [message]}


def test_every_wrong_field_is_reported_at_once():
    with pytest.raises(DomainError) as caught:
        to_wgs84(200, -100, "mars")
    assert set(caught.value.fields) == {"lon", "lat", "coord_system"}


def test_form_strings_are_parsed_and_converted():
    assert parse_point("106.5516", " 29.5630 ") == JIEFANGBEI
    assert parse_point(106.5516, 29.563) == JIEFANGBEI
    # A Chinese IME in full-width mode types "１０６．５５１６".
    assert parse_point("１０６．５５１６", "２９．５６３０") == JIEFANGBEI
    gcj = gcj_of(*JIEFANGBEI)
    assert parse_point(str(gcj[0]), str(gcj[1]), "gcj02") == pytest.approx(JIEFANGBEI, abs=1e-6)


@pytest.mark.parametrize(("lon", "lat"), [(None, None), ("", ""), ("  ", None)])
def test_no_location_at_all_is_none(lon, lat):
    assert parse_point(lon, lat) is None


@pytest.mark.parametrize(
    ("lon", "lat", "field"), [("106.5", "", "lat"), (None, "29.5", "lon"), ("", 29.5, "lon")]
)
def test_half_a_point_is_refused(lon, lat, field):
    with pytest.raises(DomainError, match="经度和纬度须同时填写") as caught:
        parse_point(lon, lat)
    assert list(caught.value.fields) == [field]


@pytest.mark.parametrize("raw", ["abc", "29,5", "1_000", "nan", "inf", "1e2", "29.5°", "١٢"])
def test_text_that_is_not_a_plain_decimal_is_refused(raw):
    with pytest.raises(DomainError) as caught:
        parse_point("106.5", raw)
    assert caught.value.message == "纬度不是数字"
    assert caught.value.fields == {"lat": ["纬度不是数字"]}


def test_parsed_numbers_are_still_range_checked():
    with pytest.raises(DomainError, match="经度应在 -180 到 180 之间"):
        parse_point("1065", "29.5")


def test_a_thousandth_of_a_degree_of_latitude_is_about_111_metres():
    assert distance_m(106.5, 29.5, 106.5, 29.501) == pytest.approx(111.2, abs=1)
    assert distance_m(*JIEFANGBEI, *JIEFANGBEI) == 0


def test_distance_is_great_circle_and_symmetric():
    # One degree along the equator on the mean-radius sphere, and half the globe.
    assert distance_m(0, 0, 1, 0) == pytest.approx(111_195, abs=1)
    assert distance_m(0, 0, 180, 0) == pytest.approx(20_015_114, abs=1)
    here, there = (106.5516, 29.5630), (106.5503, 29.6087)
    assert distance_m(*here, *there) == distance_m(*there, *here)
