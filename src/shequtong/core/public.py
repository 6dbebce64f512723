"""The one rule for what the public may see (STYLE.md 26).

Everything reachable without login — Open311 today, disclosure boards and certificate checks
later — shows a record through these functions, never its raw text:

- `public_place(address)`: a place reduced to the building or the street at most:
  阳光小区5栋1单元101 becomes 阳光小区5栋, 杨家坪正街12号3楼302 becomes 杨家坪正街12号; units,
  floors, rooms and door numbers never show.
- `public_text(text, names=…, area_path=…)`: free text with ID numbers, phone numbers and any long
  run of digits, e-mail addresses, door numbers, and names taken out. Names are those the
  caller knows (the reporter's), those the registered name sources find in the text within
  the record's area (the registry: residents of the community), and any surname followed by an
  honorific (王阿姨, 李先生). A name becomes 某某.

Which records are public at all (no dispute, no care matter, nothing about a person) is the
owning app's decision, made before it calls these; what they show is decided here alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

NameSource = Callable[[str, str], Iterable[str]]
_NAME_SOURCES: list[NameSource] = []

HIDDEN = "＊＊"
SOMEONE = "某某"

_NUM = r"[0-9一二三四五六七八九十百零〇两]+"
# A building: 5栋, 12号楼, 三幢, A座 (and the courtyard 3号院).
_BUILDING = rf"(?:{_NUM}|[A-Za-z])\s*(?:号楼|栋|幢|座|号院)"
# What follows a building and names a door: 1单元, 302, 302室, 3楼, 3层, 3-302, 1-1203.
_DOOR_TAIL = (
    rf"(?:\s*(?:{_NUM}\s*单元|{_NUM}\s*(?:楼|层)|{_NUM}\s*(?:室|号房|户|号)?|[-－—]\s*\d+))+"
)
_BUILDING_DOOR = re.compile(rf"({_BUILDING}){_DOOR_TAIL}")
# A room after a building, with or without its unit and floor: 5栋302, 5栋1单元101, 3号楼2-1502.
_BUILDING_ROOM = re.compile(
    rf"{_BUILDING}\s*(?:{_NUM}\s*单元)?\s*(?:{_NUM}\s*(?:楼|层))?\s*[-－—]?\s*\d+(?!\d|\s*单元)"
)
# Doors with no building before them: 2-1-1203, 1单元302, 3楼302室, 302室.
_HYPHEN_DOOR = re.compile(r"(?<![\d.])\d{1,3}\s*[-－—]\s*\d{1,3}(?:\s*[-－—]\s*\d{1,5})?(?![\d.])")
_UNIT_DOOR = re.compile(rf"{_NUM}\s*单元(?:\s*{_NUM}\s*(?:楼|层))?\s*\d+\s*(?:室|号|户)?")
_FLOOR_DOOR = re.compile(rf"{_NUM}\s*(?:楼|层)\s*\d+\s*(?:室|号|户)?")
_ROOM = re.compile(r"\d{2,5}\s*(?:室|号房|户)")
# A street address: keep "…路12号", drop what follows it.
_STREET_NUMBER = re.compile(rf"(?:路|街|道|巷|弄|里|胡同|大道){_NUM}号")

# ID numbers, phones and any run of seven digits or more (bank cards, plates of digits…).
_LONG_DIGITS = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?\d(?:[-\s]?\d){6,}[Xx]?(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Common single-character surnames (百家姓, the ~120 most frequent), before an honorific.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万"
    "钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝"
)
_HONORIFIC = re.compile(
    rf"[{_SURNAMES}][\u4e00-\u9fff]?(?=先生|女士|阿姨|大爷|大妈|大娘|奶奶|爷爷|叔叔|婶婶|婆婆|"
    r"师傅|老师|大姐|大哥|老人|老太|老汉|同志)"
)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff·]{2,}")


def register_name_source(source: NameSource) -> None:
    """An app that knows people (the registry) tells the rule which names occur in a text:
    `source(text, area_path)` returns the names of people placed under `area_path` that the
    text contains. Registered from the app's `ready()`; core imports no domain app."""
    if source not in _NAME_SOURCES:
        _NAME_SOURCES.append(source)


def name_candidates(text: str, longest: int = 4) -> set[str]:
    """Every run of two to `longest` Chinese characters in `text`: what a name could be."""
    found: set[str] = set()
    for run in _CJK_RUN.findall(text):
        for size in range(2, longest + 1):
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    return found


# Full-width digits, letters and hyphens (typed with a Chinese input method) as ASCII, so the
# patterns see them; Chinese punctuation stays as written.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code - 0xFEE0).isalnum()}
_HALFWIDTH[0xFF0D] = ord("-")


def _normal(value: str) -> str:
    return (value or "").translate(_HALFWIDTH).strip()


def public_place(address: str) -> str:
    """The building or the street, never the door."""
    text = _normal(address)
    building = re.search(_BUILDING, text)
    if building:
        return text[: building.end()]
    for door in (_HYPHEN_DOOR, _UNIT_DOOR, _FLOOR_DOOR, _ROOM):
        found = door.search(text)
        if found:
            text = text[: found.start()]
    street = _STREET_NUMBER.search(text)
    if street:
        text = text[: street.end()]
    return _LONG_DIGITS.sub("", text).strip(" ,，、-")


def _doors_out(text: str) -> str:
    text = _BUILDING_DOOR.sub(lambda m: m.group(1), text)
    for door in (_HYPHEN_DOOR, _UNIT_DOOR, _FLOOR_DOOR, _ROOM):
        text = door.sub(HIDDEN, text)
    return text


def public_text(text: str, *, names: Iterable[str] = (), area_path: str = "") -> str:
    """`text` as the public may read it: no ID or phone numbers, no door, no name."""
    text = _normal(text)
    known = {n for n in names if n and len(n) >= 2}
    if area_path:
        for source in _NAME_SOURCES:
            known.update(n for n in source(text, area_path) if len(n) >= 2)
    for name in sorted(known, key=len, reverse=True):  # 王军艳 before 王军
        text = text.replace(name, SOMEONE)
    text = _HONORIFIC.sub("某", text)
    text = _EMAIL.sub(HIDDEN, text)
    text = _LONG_DIGITS.sub(HIDDEN, text)
    return _doors_out(text)


def contains_door(text: str) -> bool:
    """Whether the text names a door (a room, or a floor's door), not just a building, its
    unit (a shared staircase) or a street."""
    normal = _normal(text)
    doors = (_BUILDING_ROOM, _HYPHEN_DOOR, _UNIT_DOOR, _FLOOR_DOOR, _ROOM)
    return any(door.search(normal) for door in doors)


def public_name(name: str) -> str:
    """A person's name as a public surface may print it (a certificate, its check page): the
    surname's first character, the rest hidden — 张** for 张三丰, 欧*** for 欧阳修远."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def neighbour_view(*, text: str, author: str, area_path: str, own: bool) -> tuple[str, str]:
    """A resident's words and name as another resident of the place reads them (a comment on a
    公示 or a 公约, and the answer to it): one's own as written, signed 我; anyone else's through
    `public_text`, the author's name taken out, signed with the surname only (张**)."""
    if own:
        return "我", text
    return public_name(author), public_text(text, names=[author], area_path=area_path)
