"""Registry pages of the console: people, the person file, buildings and their map, ledger
imports, statistics. Thin: selectors read, services and jobs write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shequtong.core import selectors as core_selectors
from shequtong.core import services as core_services
from shequtong.core import vault
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError, NotFoundError, PermissionDeniedError
from shequtong.core.models import Area
from shequtong.core.scoping import allowed, can, can_in_area, require, scoped
from shequtong.web.pages import (
    Crumb,
    paginate,
    within_scope,
    xlsx_response,
    xlsx_workbook,
)
from shequtong.web.scope import current_scope

from . import jobs, selectors, services
from .forms import (
    EndResidenceForm,
    FacilityForm,
    ImportForm,
    OrganizationForm,
    PersonSearchForm,
    PlaceForm,
    TagAddForm,
    VehicleForm,
)
from .importing.columns import PERSON_COLUMNS
from .models import (
    Building,
    Dwelling,
    Estate,
    Facility,
    ImportJob,
    Organization,
    Person,
    PersonTag,
    Vehicle,
)
from .panels import person_panels
from .services import assets, grids


def _persons_crumb() -> Crumb:
    return Crumb("居民档案", reverse("registry:person_list"))


# --- people ---------------------------------------------------------------------------------


def _people(request: HttpRequest, data: Any, action: str) -> tuple[Any, PersonSearchForm]:
    """The people the list's filters (`data`: the query or the posted form) find for `action`."""
    tags = selectors.tag_catalogue(user=request.user, area=current_scope(request))
    form = PersonSearchForm(data or None, tags=[(t.code, t.name) for t in tags])
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.person_search(
        user=request.user,
        q=filters.get("q") or "",
        action=action,
        include_inactive=bool(filters.get("include_inactive")),
        tag=filters.get("tag") or None,
        within=current_scope(request),
    ).select_related("dwelling__building__estate")
    return people, form


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Person, "居民档案")
    user = request.user
    exporting = request.GET.get("export") == "xlsx"
    people, form = _people(request, request.GET, "export" if exporting else "read")
    if exporting:
        return _export_people(people, request.user, _filters(form))
    context = {
        "title": "居民档案",
        "form": form,
        "page": paginate(request, people),
        "can_export": allowed(user, "export", Person),
        "can_export_full": allowed(user, "export", Person) and allowed(user, "reveal", Person),
        "breadcrumbs": [Crumb("居民档案")],
    }
    if request.htmx:
        return render(request, "registry/person_list.html#results", context)
    return render(request, "registry/person_list.html", context)


@login_required
@require_POST
def person_export_full(request: HttpRequest) -> HttpResponse:
    """全量导出: full ID and phone numbers, for a stated purpose, each person revealed audited."""
    people, form = _people(request, request.POST, "export")
    return _export_people(people, request.user, _filters(form), request.POST.get("purpose", ""))


def _filters(form: PersonSearchForm) -> dict[str, Any]:
    return form.cleaned_data if form.is_bound and form.is_valid() else {}


def _export_people(
    people: Any, user: Any, filters: dict[str, Any], purpose: str | None = None
) -> HttpResponse:
    """Masked; asked with a purpose, full values for the people the user may reveal (the rest
    stay masked), each of them recorded in the audit log."""
    rows = list(people[:200_000])
    full: set[int] = set()
    if purpose is not None:
        full = core_services.pii_export_reveal(
            actor=user, rows=rows, fields=["id_number", "phone"], purpose=purpose
        )
    core_services.export_record(
        actor=user, model=Person, count=len(rows), filters=filters, purpose=(purpose or "").strip()
    )

    def shown(person: Person, value: str, kind: str) -> str:
        return value if person.pk in full else vault.MASKERS[kind](value)

    book = xlsx_workbook(
        ["姓名", "性别", "出生日期", "身份证号", "联系电话", "人员类型", "现住址", "状态"],
        (
            [
                p.name,
                p.get_gender_display(),
                p.birth_date,
                shown(p, p.id_number, "id_number"),
                shown(p, p.phone, "phone"),
                p.get_residency_display(),
                str(p.dwelling or ""),
                p.get_status_display(),
            ]
            for p in rows
        ),
        "居民",
    )
    return xlsx_response("居民档案（完整信息）.xlsx" if full else "居民档案.xlsx", book)


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    file = selectors.person_file(user=user, pk=pk)
    person = file.person
    may_change = can(user, "change", person)
    tag_choices = [
        (t.code, t.name)
        for t in selectors.tag_catalogue(user=user, area=person.area)
        if t.code not in {a.tag.code for a in file.tags if a.ended_on is None}
    ]
    context = {
        "title": person.name,
        "file": file,
        "person": person,
        "id_masked": vault.mask_id_number(person.id_number),
        "phone_masked": vault.mask_phone(person.phone),
        "can_reveal": can(user, "reveal", person),
        "can_change": may_change,
        "end_form": EndResidenceForm() if may_change else None,
        "tag_form": TagAddForm(tags=tag_choices) if may_change and tag_choices else None,
        "panels": person_panels(user, person),
        "breadcrumbs": [_persons_crumb(), Crumb(person.name)],
    }
    return render(request, "registry/person_detail.html", context)


@require_POST
@login_required
def person_reveal(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    value = core_services.pii_reveal(actor=request.user, obj=person, field=field)
    return render(request, "web/staff/list.html#revealed", {"value": value})


@require_POST
@login_required
def person_end(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, action="change")
    form = EndResidenceForm(request.POST)
    if form.is_valid():
        end = (
            services.person_move_out
            if form.cleaned_data["kind"] == "moved_out"
            else services.person_decease
        )
        end(
            actor=request.user,
            person=person,
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"已登记：{person.name} {person.get_status_display()}")
    else:
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
    return redirect("registry:person_detail", pk=pk)


@require_POST
@login_required
def person_tag_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, action="change")
    tags = selectors.tag_catalogue(user=request.user, area=person.area)
    form = TagAddForm(request.POST, tags=[(t.code, t.name) for t in tags])
    if form.is_valid():
        tag = PersonTag.objects.get(code=form.cleaned_data["tag"])
        services.tag_add(
            actor=request.user, person=person, tag=tag, started_on=form.cleaned_data["started_on"]
        )
        messages.success(request, f"已添加标签：{tag.name}")
    else:
        messages.error(request, "；".join(m for ms in form.errors.values() for m in ms))
    return redirect("registry:person_detail", pk=pk)


@require_POST
@login_required
def person_tag_end(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, action="change")
    assignment = (
        selectors.visible_tag_assignments(user=request.user)
        .filter(pk=assignment_pk, person=person)
        .select_related("tag", "person")
        .first()
    )
    if assignment is None:
        raise NotFoundError()
    services.tag_end(actor=request.user, assignment=assignment)
    messages.success(request, f"已结束标签：{assignment.tag.name}")
    return redirect("registry:person_detail", pk=pk)


# --- buildings and dwellings ----------------------------------------------------------------


def _place_form(request: HttpRequest, data: Any = None) -> PlaceForm | None:
    """The 归入网格 form, for users who may put buildings in some grid of their scope."""
    scope = current_scope(request)
    grids = selectors.placeable_grids(user=request.user, within=scope)
    if not grids:
        return None
    return PlaceForm(
        data,
        grids=grids,
        buildings=scoped(Building.objects.all(), request.user, "change"),
        estates=scoped(Estate.objects.all(), request.user, "change"),
    )


@login_required
def building_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Building, "楼栋")
    scope = current_scope(request)
    unplaced = request.GET.get("unplaced") == "1"
    buildings = selectors.building_list(user=request.user, within=scope, unplaced=unplaced)
    waiting = selectors.building_list(user=request.user, within=scope, unplaced=True)
    context = {
        "title": "楼栋",
        "page": paginate(request, buildings),
        "unplaced": unplaced,
        "unplaced_count": waiting.count(),
        "form": _place_form(request),
        "breadcrumbs": [Crumb("楼栋")],
    }
    return render(request, "registry/building_list.html", context)


@login_required
@require_POST
def buildings_place(request: HttpRequest) -> HttpResponse:
    """归入网格 from the building or estate list: the ticked rows into the chosen grid."""
    back = request.POST.get("next") or reverse("registry:building_list")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("registry:building_list")
    form = _place_form(request, request.POST)
    if form is None:
        raise PermissionDeniedError("您无权调整楼栋所属网格")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect(back)
    grid = form.cleaned_data["grid"]
    buildings = list(form.cleaned_data["buildings"].select_related("estate__area", "area")) + list(
        Building.objects.filter(estate__in=form.cleaned_data["estates"]).select_related(
            "estate__area", "area"
        )
    )
    done = grids.buildings_place(actor=request.user, buildings=buildings, grid=grid)
    messages.success(
        request, f"已将 {done.buildings} 栋楼归入{grid.name}，{done.residents} 位居民随之调整"
    )
    return redirect(back)


@login_required
@require_POST
def buildings_locate(request: HttpRequest) -> HttpResponse:
    """按位置归入: every unplaced building whose point, or estate's boundary, lies in a grid."""
    unplaced = selectors.building_list(
        user=request.user, within=current_scope(request), unplaced=True
    ).select_related("estate__area")
    waiting = [b for b in unplaced if can(request.user, "change", b)]
    done = grids.place_by_location(actor=request.user, buildings=waiting)
    left = len(waiting) - done.buildings
    messages.success(
        request,
        f"按位置归入 {done.buildings} 栋楼（{done.residents} 位居民）；"
        f"{left} 栋没有坐标或小区边界，请勾选后手动归入",
    )
    return redirect(f"{reverse('registry:building_list')}?unplaced=1")


@login_required
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.building_map(user=request.user, pk=pk)
    building = plan.building
    context = {
        "title": str(building),
        "plan": plan,
        "breadcrumbs": [
            Crumb("楼栋", reverse("registry:building_list")),
            Crumb(building.estate.name),
            Crumb(building.number),
        ],
    }
    return render(request, "registry/building_map.html", context)


@login_required
def dwelling_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dwelling = (
        scoped(Dwelling.objects.filter(pk=pk), request.user, "read")
        .select_related("building__estate", "owner")
        .first()
    )
    if dwelling is None:
        raise NotFoundError()
    residents = scoped(
        dwelling.residents.order_by("relationship", "birth_date"), request.user, "read"
    )
    context = {
        "title": str(dwelling),
        "dwelling": dwelling,
        "residents": residents,
        "breadcrumbs": [
            Crumb("楼栋", reverse("registry:building_list")),
            Crumb(
                str(dwelling.building),
                reverse("registry:building_detail", args=[dwelling.building_id]),
            ),
            Crumb(f"{dwelling.unit}单元{dwelling.number}"),
        ],
    }
    return render(request, "registry/dwelling_detail.html", context)


@login_required
def estate_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Estate, "小区")
    estates = selectors.estate_list(user=request.user, within=current_scope(request))
    context = {
        "title": "小区",
        "page": paginate(request, estates.select_related("area")),
        "form": _place_form(request),
        "breadcrumbs": [Crumb("小区")],
    }
    return render(request, "registry/estate_list.html", context)


@login_required
def estate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    estate = scoped(Estate.objects.filter(pk=pk), request.user, "read").select_related("area")
    estate = estate.first()
    if estate is None:
        raise NotFoundError()
    buildings = selectors.building_list(user=request.user).filter(estate=estate)
    residents = selectors.person_search(user=request.user).filter(dwelling__building__estate=estate)
    context = {
        "title": estate.name,
        "estate": estate,
        "buildings": buildings,
        "residents": residents.count(),
        "breadcrumbs": [Crumb("小区", reverse("registry:estate_list")), Crumb(estate.name)],
    }
    return render(request, "registry/estate_detail.html", context)


# What the directory page lists, by tab: model, columns (label, attribute), search fields.
DIRECTORY: dict[str, tuple[str, type, list[tuple[str, str]], tuple[str, ...]]] = {
    "organizations": (
        "组织",
        Organization,
        [
            ("名称", "name"),
            ("类别", "get_kind_display"),
            ("统一社会信用代码", "credit_code"),
            ("地址", "address"),
            ("联系人", "contact_name"),
            ("所属区域", "area"),
        ],
        ("name__contains", "credit_code__startswith"),
    ),
    "facilities": (
        "设施",
        Facility,
        [
            ("名称", "name"),
            ("类别", "get_kind_display"),
            ("地址", "address"),
            ("开放时间", "opening_hours"),
            ("所属区域", "area"),
        ],
        ("name__contains", "address__contains"),
    ),
    "vehicles": (
        "车辆",
        Vehicle,
        [("号牌", "plate"), ("类型", "get_kind_display"), ("车主", "owner"), ("所属区域", "area")],
        ("plate__contains",),
    ),
}


@login_required
def directory(request: HttpRequest, kind: str) -> HttpResponse:
    """Organizations, facilities and vehicles: one list page, one tab each (the API edits)."""
    if kind not in DIRECTORY:
        raise NotFoundError()
    label, model, columns, searched = DIRECTORY[kind]
    require(request.user, "read", model, label)
    exporting = request.GET.get("export") == "xlsx"
    rows = within_scope(
        request,
        scoped(
            model.objects.select_related("area"), request.user, "export" if exporting else "read"
        ),
        "area_path",
    )
    q = request.GET.get("q", "").strip()
    if q:
        match = Q()
        for lookup in searched:
            match |= Q(**{lookup: q.upper() if lookup.startswith("plate") else q})
        rows = rows.filter(match)
    if exporting:
        found = list(rows[:200_000])
        core_services.export_record(
            actor=request.user, model=model, count=len(found), filters={"q": q}
        )
        book = xlsx_workbook(
            [c[0] for c in columns],
            ([str(_cell(obj, a) or "") for _, a in columns] for obj in found),
            label,
        )
        return xlsx_response(f"{label}.xlsx", book)
    page = paginate(request, rows)
    context = {
        "title": label,
        "kind": kind,
        "tabs": [(key, value[0]) for key, value in DIRECTORY.items()],
        "headers": [c[0] for c in columns],
        "rows": [(obj, [_cell(obj, attribute) for _, attribute in columns]) for obj in page],
        "can_change": allowed(request.user, "change", model),
        "page": page,
        "q": q,
        "can_export": allowed(request.user, "export", model),
        "breadcrumbs": [Crumb("单位与设施"), Crumb(label)],
    }
    return render(request, "registry/directory.html", context)


# kind → (the form, the service's data class, its create and update, the update's keyword).
_EDITORS: dict[str, tuple[type[forms.Form], type, Any, Any, str]] = {
    "organizations": (
        OrganizationForm,
        assets.OrganizationData,
        assets.organization_create,
        assets.organization_update,
        "organization",
    ),
    "facilities": (
        FacilityForm,
        assets.FacilityData,
        assets.facility_create,
        assets.facility_update,
        "facility",
    ),
    "vehicles": (
        VehicleForm,
        assets.VehicleData,
        assets.vehicle_create,
        assets.vehicle_update,
        "vehicle",
    ),
}


def _placeable_areas(user: Any, model: type) -> QuerySet[Area]:
    """The communities and grids where this user may file a row of `model`."""
    areas = scoped(
        Area.objects.filter(level__in=[AreaLevel.COMMUNITY, AreaLevel.GRID]), user, "read"
    )
    ids = [a.pk for a in areas if can_in_area(user, "change", model, a.path)]
    return Area.objects.filter(pk__in=ids).order_by("path")


@login_required
def directory_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """登记 or 修改 an organization, a facility or a vehicle: the API's services, in a form."""
    if kind not in _EDITORS:
        raise NotFoundError()
    label, model, _, _ = DIRECTORY[kind]
    form_class, data_class, create, update, keyword = _EDITORS[kind]
    require(request.user, "change", model, label)
    instance = None
    initial: dict[str, Any] = {}
    if pk is not None:
        instance = scoped(model.objects.filter(pk=pk), request.user, "change").first()
        if instance is None:
            raise NotFoundError()
        fields = [f for f in form_class.base_fields if f != "contact_phone"]
        initial = {f: getattr(instance, f) for f in fields}
    form = form_class(
        request.POST or None, initial=initial, areas=_placeable_areas(request.user, model)
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        if kind == "vehicles":
            values["kind"] = values["kind"] or None
            values["owner"] = instance.owner if instance else None
        if kind == "organizations" and instance is not None and not values["contact_phone"]:
            values["contact_phone"] = instance.contact_phone  # left blank: the number stays
        data = data_class(**values)
        try:
            if instance is None:
                saved = create(actor=request.user, data=data)
            else:
                saved = update(actor=request.user, data=data, **{keyword: instance})
        except DomainError as exc:
            for field, messages_ in (exc.fields or {"": [exc.message]}).items():
                name = field.removesuffix("_id")
                form.add_error(name if name in form.fields else None, "；".join(messages_))
        else:
            messages.success(request, f"已保存{label}“{saved}”")
            return redirect("registry:directory", kind)
    context = {
        "title": f"{'修改' if instance else '登记'}{label}",
        "form": form,
        "kind": kind,
        "instance": instance,
        "breadcrumbs": [
            Crumb("单位与设施", reverse("registry:directory_home")),
            Crumb(label, reverse("registry:directory", args=[kind])),
            Crumb("修改" if instance else "登记"),
        ],
    }
    return render(request, "registry/directory_edit.html", context)


def _cell(obj: Any, attribute: str) -> Any:
    value = getattr(obj, attribute)
    return value() if callable(value) else value


# --- imports --------------------------------------------------------------------------------


def _importable_communities(request: HttpRequest) -> QuerySet[Area]:
    communities = scoped(Area.objects.filter(level=AreaLevel.COMMUNITY), request.user, "read")
    ids = [c.pk for c in communities if can_in_area(request.user, "change", Person, c.path)]
    return Area.objects.filter(pk__in=ids).order_by("path")


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", ImportJob, "台账导入")
    communities = _importable_communities(request)
    form = ImportForm(request.POST or None, request.FILES or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_create(
                actor=request.user,
                community=form.cleaned_data["community"],
                upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
                create_places=form.cleaned_data["create_places"],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)  # shown beside the field, the form kept
        else:
            jobs.job_start(actor=request.user, job=job)
            return redirect("registry:import_detail", pk=job.pk)
    context = {
        "title": "台账导入",
        "form": form if communities.exists() else None,
        "jobs": within_scope(request, selectors.import_jobs(user=request.user), "area_path")[:30],
        "breadcrumbs": [Crumb("台账导入")],
    }
    return render(request, "registry/import_list.html", context)


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    context = {
        "title": job.original_name,
        "job": job,
        "busy": job.busy and not job.stalled,
        "resumable": job.resumable,
        "rejected": job.rejected[:200],
        "fields": [(c.field, c.label) for c in PERSON_COLUMNS],
        "breadcrumbs": [
            Crumb("台账导入", reverse("registry:import_list")),
            Crumb(job.original_name),
        ],
    }
    if request.htmx:
        return render(request, "registry/import_detail.html#status", context)
    return render(request, "registry/import_detail.html", context)


@require_POST
@login_required
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    choices = {h: request.POST.get(f"column_{i}", "") for i, h in enumerate(job.unknown_headers)}
    jobs.columns_map(actor=request.user, job=job, choices=choices)
    messages.success(request, "已保存列对应关系，正在重新校验")
    return redirect("registry:import_detail", pk=pk)


@require_POST
@login_required
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    jobs.job_start(actor=request.user, job=job, confirm=True)
    return redirect("registry:import_detail", pk=pk)


@require_POST
@login_required
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    jobs.job_resume(actor=request.user, job=job)
    messages.success(request, "已继续导入：从上次提交的批次之后接着进行")
    return redirect("registry:import_detail", pk=pk)


@login_required
def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, pk=pk)
    stem = job.original_name.rsplit(".", 1)[0]
    return xlsx_response(f"{stem}-错误行.xlsx", jobs.rejected_workbook(actor=request.user, job=job))


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    require(request.user, "change", Person, "居民档案")
    return xlsx_response("人口台账模板.xlsx", jobs.template_workbook())


# --- statistics -----------------------------------------------------------------------------


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    require(request.user, "count", Person, "人口统计")
    roots = core_selectors.area_roots(user=request.user)
    within = current_scope(request) or (roots[0] if len(roots) == 1 else None)
    figures = selectors.area_stats(user=request.user, within=within)
    chart = {
        "bands": [b[0] for b in figures.by_band],
        "men": [b[1] for b in figures.by_band],
        "women": [b[2] for b in figures.by_band],
        "tags": [{"name": n, "value": c} for n, c in figures.tags],
    }
    context = {
        "title": "人口统计",
        "figures": figures,
        "chart": chart,
        "breadcrumbs": [Crumb("人口统计")],
    }
    return render(request, "registry/stats.html", context)
