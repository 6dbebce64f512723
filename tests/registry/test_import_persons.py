"""Importing person ledgers from real .csv and .xlsx files."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.test import override_settings
from openpyxl import Workbook

from shequtong.core.choices import Role
from shequtong.core.errors import PermissionDeniedError
from shequtong.core.models import AuditEntry
from shequtong.registry.choices import Gender, PersonEventKind
from shequtong.registry.importing import persons as importing
from shequtong.registry.importing import readers
from shequtong.registry.importing.persons import PersonImport
from shequtong.registry.importing.readers import ImportFileError
from shequtong.registry.models import (
    Building,
    Dwelling,
    Estate,
    Household,
    ImportJob,
    Person,
    PersonEvent,
)

from .factories import HEADER, id_number, ledger_rows, person_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def run(tree, path: Path, **options):
    return PersonImport(community=tree.comm_a1, actor=None, **options).run(path)


def errors_of(report) -> dict[int, list[tuple[str, str]]]:
    return {r.row: r.errors for r in report.rejected}


def test_a_clean_ledger_builds_people_places_and_households(tree, tmp_path):
    report = run(tree, write_csv(tmp_path / "台账.csv", ledger_rows(12)))
    assert report.counts | {} == {
        "rows": 12,
        "new": 12,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "places": 6,  # two people per door
    }
    assert Person.objects.count() == 12
    assert Estate.objects.get().area == tree.comm_a1
    assert Building.objects.count() == 3 and Dwelling.objects.count() == 6
    first = Person.objects.get(id_hash=Person._meta.get_field("id_hash").lookup_value(id_number(1)))
    assert first.name == "李四" and first.gender == Gender.MALE
    assert first.birth_date == date(1950, 1, 1)
    assert (first.name_pinyin, first.name_initials) == ("lisi", "ls")
    assert first.id_last4 == id_number(1)[-4:] and first.phone == "13800000001"
    assert first.household.head == first  # 户主
    assert first.events.get().kind == PersonEventKind.CREATED
    assert AuditEntry.objects.filter(action="person.import").count() == 1


def test_reimporting_the_same_file_changes_nothing(tree, tmp_path):
    path = write_csv(tmp_path / "台账.csv", ledger_rows(20))
    run(tree, path)
    stamps = dict(Person.objects.values_list("pk", "updated_at"))
    events = PersonEvent.objects.count()
    again = run(tree, path)
    assert again.counts["unchanged"] == 20 and again.counts["new"] == again.counts["updated"] == 0
    assert dict(Person.objects.values_list("pk", "updated_at")) == stamps
    assert PersonEvent.objects.count() == events and Person.objects.count() == 20


def test_a_corrected_file_updates_in_place(tree, tmp_path):
    run(tree, write_csv(tmp_path / "v1.csv", ledger_rows(10)))
    rows = ledger_rows(10)
    rows[3] = person_row(3, 联系电话="13999999999")
    report = run(tree, write_csv(tmp_path / "v2.csv", rows))
    assert report.counts["updated"] == 1 and report.counts["unchanged"] == 9
    assert Person.objects.count() == 10
    changed = Person.objects.get(phone_last4="9999")
    event = changed.events.get(kind=PersonEventKind.PHONE_CHANGED)
    assert event.changes["phone"] == ["138****0003", "139****9999"]


BAD_ROWS = {
    2: (
        "身份证号",
        "校验位错误",
        {"身份证号": id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1")},
    ),
    3: ("身份证号", "出生日期不存在", {"身份证号": "110105195002300011"}),
    4: ("性别", "性别与身份证号不符", {"性别": "男"}),  # row 4 is a woman
    5: ("联系电话", "电话号码格式错误", {"联系电话": "1380013"}),
    6: ("特殊人群", "不在人群标签目录中", {"特殊人群": "外星人"}),
}


def bad_ledger() -> list[list]:
    rows = ledger_rows(8)
    for sheet_row, (_, _, change) in BAD_ROWS.items():
        rows[sheet_row - 2] = person_row(sheet_row - 2, **change)
    rows[6] = person_row(6, 身份证号=id_number(7), 性别="男")  # row 8
    rows[7] = person_row(7)  # row 9 duplicates row 8
    return rows


def test_each_bad_row_is_named_with_its_column(tree, tmp_path):
    report = run(tree, write_csv(tmp_path / "bad.csv", bad_ledger()), dry_run=True)
    found = errors_of(report)
    for sheet_row, (column, words, _) in BAD_ROWS.items():
        assert any(c == column and words in m for c, m in found[sheet_row]), found[sheet_row]
    assert found[9] == [("身份证号", "与第 8 行的身份证号重复")]
    assert report.counts["rejected"] == 6 and report.counts["new"] == 2
    assert Person.objects.count() == 0  # a dry run writes nothing


def test_valid_rows_mode_commits_the_rest(tree, tmp_path):
    report = run(tree, write_csv(tmp_path / "bad.csv", bad_ledger()))
    assert report.committed and report.counts["new"] == 2
    assert Person.objects.count() == 2


def test_all_or_nothing_commits_nothing_when_a_row_is_bad(tree, tmp_path):
    report = run(tree, write_csv(tmp_path / "bad.csv", bad_ledger()), all_or_nothing=True)
    assert not report.committed and report.counts["rejected"] == 6
    assert Person.objects.count() == 0 and Estate.objects.count() == 0


def test_all_or_nothing_commits_a_clean_file(tree, tmp_path):
    report = run(tree, write_csv(tmp_path / "ok.csv", ledger_rows(5)), all_or_nothing=True)
    assert report.committed and Person.objects.count() == 5


def test_legacy_15_digit_ids_are_converted(tree, tmp_path):
    rows = [person_row(0, 身份证号="110105491231002", 性别="女")]
    run(tree, write_csv(tmp_path / "old.csv", rows))
    person = Person.objects.get()
    assert person.id_number == "11010519491231002X" and person.birth_date == date(1949, 12, 31)


def test_gbk_csv_is_read(tree, tmp_path):
    report = run(tree, write_csv(tmp_path / "gbk.csv", ledger_rows(3), encoding="gbk"))
    assert report.counts["new"] == 3
    assert Person.objects.filter(name="张三").exists()


def test_xlsx_with_title_row_blank_rows_and_hidden_sheet(tree, tmp_path):
    path = write_xlsx(
        tmp_path / "台账.xlsx",
        [*ledger_rows(3), [None] * 11, person_row(3)],
        title="杨家坪社区人口台账（2026年）",
    )
    # A hidden first sheet that is not the ledger.
    from openpyxl import load_workbook

    book = load_workbook(path)
    hidden = book.create_sheet("说明", 0)
    hidden["A1"] = "填表说明"
    hidden.sheet_state = "hidden"
    book.save(path)
    report = run(tree, path)
    assert report.counts["new"] == 4 and report.counts["rows"] == 4
    assert any("隐藏" in note for note in report.notes)


def test_formulas_are_read_as_their_values(tree, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    row = person_row(0)
    sheet.append(row)
    sheet["H2"] = '="10"&"1"'  # 房号 as a formula
    book.save(tmp_path / "f.xlsx")
    # openpyxl writes no cached value; calamine then sees the empty result: a named error,
    # never a crash.
    report = run(tree, tmp_path / "f.xlsx", dry_run=True)
    assert report.counts["rows"] == 1


def test_a_pdf_renamed_xlsx_is_refused_with_a_reason(tree, tmp_path):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"%PDF-1.7\n...")
    with pytest.raises(ImportFileError, match="PDF"):
        run(tree, path)


def test_a_missing_required_column_is_named(tree, tmp_path):
    header = [h for h in HEADER if h != "身份证号"]
    rows = [[v for h, v in zip(HEADER, r, strict=True) if h != "身份证号"] for r in ledger_rows(2)]
    with pytest.raises(ImportFileError, match="缺少必需列：身份证号"):
        run(tree, write_csv(tmp_path / "x.csv", rows, header=header))


def test_unknown_places_rejected_when_not_creating(tree, tmp_path):
    report = run(tree, write_csv(tmp_path / "x.csv", ledger_rows(2)), create_places=False)
    assert report.counts["rejected"] == 2
    assert "小区“杨家坪小区”不存在" in errors_of(report)[2][0][1]


def test_a_crash_mid_import_leaves_whole_batches_and_resumes(
    tree, tmp_path, monkeypatch, district_admin
):
    monkeypatch.setattr(importing, "BATCH", 4)
    path = write_csv(tmp_path / "big.csv", ledger_rows(10))
    job = ImportJob.objects.create(area=tree.comm_a1, original_name="big.csv", dry_run=False)
    original = PersonImport._create
    calls = {"n": 0}

    def dying(self, plans):
        calls["n"] += 1
        original(self, plans)
        if calls["n"] == 2:
            raise KeyboardInterrupt  # killed after writing, before the batch commits

    monkeypatch.setattr(PersonImport, "_create", dying)
    with pytest.raises(KeyboardInterrupt):
        PersonImport(community=tree.comm_a1, actor=None, job=job).run(path)
    job.refresh_from_db()
    assert Person.objects.count() == 4 and job.committed_through == 5  # rows 2–5
    monkeypatch.setattr(PersonImport, "_create", original)
    report = PersonImport(community=tree.comm_a1, actor=None, job=job).run(path)
    assert Person.objects.count() == 10 and report.counts["new"] == 10
    assert report.counts["rows"] == 10  # the committed rows counted once, not again or never
    assert Household.objects.count() == Dwelling.objects.count()


def test_staff_cannot_import_into_another_community(tree, tmp_path, user_with):
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    with pytest.raises(PermissionDeniedError):
        PersonImport(community=tree.comm_b1, actor=staff)
    report = PersonImport(community=tree.comm_a1, actor=staff).run(
        write_csv(tmp_path / "x.csv", ledger_rows(2))
    )
    assert report.counts["new"] == 2


def test_all_or_nothing_writes_nothing_when_the_write_pass_finds_a_new_rejection(
    tree, tmp_path, monkeypatch, user_with
):
    """Between the check and the write a row's person is filed in another community: that
    row is refused on the way in, so in this mode nothing at all is written."""
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    rows = ledger_rows(5)
    real_run = PersonImport.run

    def checked_then_filed_elsewhere(importer, path):
        report = real_run(importer, path)
        if importer.dry_run and importer.community == tree.comm_a1:
            other = write_csv(tmp_path / "other.csv", [rows[2]])
            real_run(PersonImport(community=tree.comm_b1, actor=None), other)
        return report

    monkeypatch.setattr(PersonImport, "run", checked_then_filed_elsewhere)
    report = PersonImport(community=tree.comm_a1, actor=staff, all_or_nothing=True).run(
        write_csv(tmp_path / "ok.csv", rows)
    )
    assert not report.committed and report.counts["rejected"] == 1
    assert "未写入任何数据" in report.notes[-1]
    assert not Person.objects.filter(area_path__startswith=tree.comm_a1.path).exists()


def test_a_door_number_implying_an_impossible_floor_is_refused_by_row(tree, tmp_path):
    rows = [*ledger_rows(2), person_row(2, 房号="99999999")]
    report = run(tree, write_csv(tmp_path / "doors.csv", rows))
    assert report.counts["new"] == 2
    assert "超出 200 层的上限" in str(errors_of(report)[4])
    assert max(Building.objects.values_list("floors", flat=True)) < 200


# --- bounded: what a ledger holds unpacked is checked before it is decoded ------------------


@pytest.fixture
def no_decoding(monkeypatch):
    """Calamine must not be reached: the refusal comes from the zip's directory and a stream."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was decoded")

    monkeypatch.setattr(readers.CalamineWorkbook, "from_path", refuse)
    monkeypatch.setattr(readers.CalamineWorkbook, "from_filelike", refuse)


@override_settings(SHEQUTONG_IMPORT_MAX_ROWS=100)
def test_a_workbook_past_the_row_limit_is_refused_before_decoding(tree, tmp_path, no_decoding):
    path = write_xlsx(tmp_path / "台账.xlsx", ledger_rows(120))
    with pytest.raises(ImportFileError, match="文件超过 100 行"):
        run(tree, path)
    assert not Person.objects.exists()


@override_settings(SHEQUTONG_IMPORT_MAX_ROWS=100)
def test_a_workbook_within_the_row_limit_is_read(tree, tmp_path):
    report = run(tree, write_xlsx(tmp_path / "台账.xlsx", ledger_rows(100)))
    assert report.counts["new"] == 100 and Person.objects.count() == 100


@override_settings(SHEQUTONG_IMPORT_MAX_ROWS=100)
def test_a_csv_past_the_row_limit_is_refused(tree, tmp_path):
    with pytest.raises(ImportFileError, match="文件超过 100 行"):
        run(tree, write_csv(tmp_path / "台账.csv", ledger_rows(120)))


@override_settings(SHEQUTONG_IMPORT_MAX_UNPACKED_MB=1)
def test_a_zip_bomb_is_refused_by_its_unpacked_size(tree, tmp_path, no_decoding):
    """A few KB on the wire, megabytes of sheet XML unpacked: as the issue's 1 MB file holding
    400 MB, scaled down by the limit."""
    path = write_xlsx(tmp_path / "台账.xlsx", ledger_rows(3))
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet2.xml", b"<c/>" * (2 << 20))
    assert path.stat().st_size < 100_000
    with pytest.raises(ImportFileError, match="解压后有 8 MB，超过 1 MB 上限"):
        run(tree, path)


def test_a_member_bigger_than_its_header_says_is_refused(tree, tmp_path, no_decoding):
    """The zip directory can lie about a member's size; the stream then fails its check."""
    path = write_xlsx(tmp_path / "台账.xlsx", ledger_rows(3))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # The central directory's uncompressed size of that member, set to 10 bytes.
    central = data.rfind(b"PK\x01\x02", 0, data.find(b"PK\x05\x06"))
    while central >= 0:
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_length] == info.filename.encode():
            data[central + 24 : central + 28] = (10).to_bytes(4, "little")
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    path.write_bytes(bytes(data))
    with pytest.raises(ImportFileError, match="无法读取 Excel 文件"):
        run(tree, path)
