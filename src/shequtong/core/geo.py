"""Coordinates of reports and check-ins: everything is stored as WGS-84, whatever the phone sent.

Phones and hotline exports speak three systems. GPS and the browser Geolocation API give
WGS-84; 高德, 腾讯 and WeChat (`wx.getLocation` with type gcj02) give GCJ-02, the state-mandated
obfuscation; 百度 adds its own BD-09 on top of GCJ-02. Stored as-is they disagree by several
hundred metres, enough to put a report in the neighbouring grid or to miss a duplicate.
"""

from __future__ import annotations

import math
import re
import unicodedata

import prcoords
from django.db import models

from .errors import DomainError

# 7 decimals of a degree are about 1 cm: finer than any phone, coarse enough to compare.
_DECIMALS = 7
# IUGG mean Earth radius; the spherical error is far below the 250 m duplicate radius.
_EARTH_RADIUS_M = 6_371_008.8
# Plain decimals only: float() would also take "1_000", "nan", "inf" and Arabic-Indic digits.
_SYSTEM_MESSAGE = "坐标系只能是 WGS-84、GCJ-02 或 BD-09"
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class CoordSystem(models.TextChoices):
    WGS84 = "wgs84", "WGS-84 (GPS)"
    GCJ02 = "gcj02", "GCJ-02 (高德/腾讯)"
    BD09 = "bd09", "BD-09 (百度)"


def _system(value: str) -> CoordSystem | None:
    """Exports spell the system as "WGS-84", "GCJ02" or "bd_09"; they all mean the same."""
    key = re.sub(r"[\s_-]", "", str(value or "")).lower()
    return CoordSystem(key) if key in CoordSystem.values else None


def _check(lon: float, lat: float, coord_system: CoordSystem | None) -> None:
    """Every field is judged at once so that a form can mark all its wrong fields together."""
    errors: dict[str, list[str]] = {}
    for field, label, value, limit in (("lon", "经度", lon, 180), ("lat", "纬度", lat, 90)):
        # bool is an int to Python, but True is never a coordinate someone meant.
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors[field] = [f"{label}不是数字"]
        elif not math.isfinite(value):
            errors[field] = [f"{label}不是有效的数字"]
        elif not -limit <= value <= limit:
            errors[field] = [f"{label}应在 -{limit} 到 {limit} 之间"]
    if coord_system is None:
        errors["coord_system"] = [_SYSTEM_MESSAGE]
    if errors:
        raise DomainError.from_fields(errors)


def _normalise(lon: float, lat: float) -> tuple[float, float]:
    """BD-09's fixed offset can push a point at the antimeridian or a pole just past the edge."""
    if lon > 180:
        lon -= 360
    elif lon < -180:
        lon += 360
    return round(lon, _DECIMALS), round(max(-90.0, min(90.0, lat)), _DECIMALS)


def to_wgs84(lon: float, lat: float, system: str) -> tuple[float, float]:
    """(lon, lat) in `system` as WGS-84 (lon, lat), with the iterative inverse (≈0.1 mm).

    The rough one-step inverse is off by up to a metre or two, which adds up against the
    grid boundaries drawn in WGS-84. GCJ-02 is only applied inside China, so a point outside
    prcoords' China box comes back unchanged; we test the box here because prcoords' precise
    inverses ignore it (they warn "returning as-is" and then shift the point anyway).
    """
    coord_system = _system(system)
    _check(lon, lat, coord_system)
    lon, lat = float(lon), float(lat)
    if coord_system == CoordSystem.WGS84:
        return _normalise(lon, lat)
    if coord_system == CoordSystem.GCJ02:
        if not prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)):
            return _normalise(lon, lat)
        wgs = prcoords.gcj_wgs_bored(prcoords.Coords(lat, lon))
        return _normalise(wgs.lon, wgs.lat)
    # BD-09 is GCJ-02 plus Baidu's own offset. Outside China only Baidu's part applies; the box
    # is tested on the rough GCJ point, the one prcoords itself tests inside bd_wgs_bored.
    bd = prcoords.Coords(lat, lon)
    if not prcoords.sanity_in_china_p(prcoords.bd_gcj(bd)):
        gcj = prcoords.bd_gcj_bored(bd)
        return _normalise(gcj.lon, gcj.lat)
    wgs = prcoords.bd_wgs_bored(bd)
    return _normalise(wgs.lon, wgs.lat)


def _parse_number(value: object, field: str, label: str) -> float:
    """Forms send "106.5" or " 29.5 ", and a Chinese IME in full-width mode types "１０６．５"."""
    if isinstance(value, bool):
        raise DomainError("invalid", f"{label}不是数字", {field: [f"{label}不是数字"]})
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not _DECIMAL_RE.fullmatch(text):
        raise DomainError("invalid", f"{label}不是数字", {field: [f"{label}不是数字"]})
    return float(text)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_point(
    lon: object, lat: object, system: str = CoordSystem.WGS84
) -> tuple[float, float] | None:
    """A point from a form or API as WGS-84 (lon, lat); None when no location was given at all.

    A report without a location is allowed (a hotline call may not have one), but half a
    point is a typing slip that would otherwise be silently dropped.
    """
    lon_blank, lat_blank = _is_blank(lon), _is_blank(lat)
    if lon_blank and lat_blank:
        return None
    if lon_blank or lat_blank:
        field, label = ("lon", "经度") if lon_blank else ("lat", "纬度")
        raise DomainError(
            "invalid", "经度和纬度须同时填写", {field: [f"请填写{label}，或将经纬度都留空"]}
        )
    errors: dict[str, list[str]] = {}
    values: dict[str, float] = {}
    for field, label, raw in (("lon", "经度", lon), ("lat", "纬度", lat)):
        try:
            values[field] = _parse_number(raw, field, label)
        except DomainError as exc:
            errors.update(exc.fields)
    if errors and _system(system) is None:
        errors["coord_system"] = [_SYSTEM_MESSAGE]
    if errors:
        raise DomainError.from_fields(errors)
    return to_wgs84(values["lon"], values["lat"], system)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle metres (haversine); the duplicate check compares against 250 m.

    Both points must be WGS-84: comparing a GCJ-02 point with a WGS-84 one is off by the
    obfuscation itself, about 500 m (GCJ-02) or 1 km (BD-09) in Chongqing.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    hav = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(hav)))
