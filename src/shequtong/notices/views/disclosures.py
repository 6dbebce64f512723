"""三务公开's pages. The console: the boards by community, board, period and status; drafting a
board with its text, attachments and 财务 lines; submitting it; publishing it once signed; the
居务监督委员会's members. /m/: a member's boards waiting for their signature (members are
mostly residents), and every resident's published boards of their own community. Files are
served only through the same reads that show their board."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shequtong.accounts.decorators import resident_required
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User
from shequtong.core.scoping import allowed, can, can_in_area, require, scoped
from shequtong.web.inputs import form_refused, whole_number
from shequtong.web.pages import Crumb, paginate, within_scope

from .. import selectors, services
from ..choices import Board, DisclosureStatus
from ..forms import (
    DisclosureEditForm,
    DisclosureForm,
    FinanceItemForm,
    SignForm,
    SupervisorForm,
    seat_name,
)
from ..models import Disclosure, DisclosureAttachment, FinanceItem, Supervisor
from ..money import fen_of, yuan
from ..periods import period_parse


def _crumb() -> Crumb:
    return Crumb("三务公开", reverse("notices:disclosure_list"))


def _communities(request: HttpRequest, model: type[Any]) -> list[Area]:
    """The communities where the user may change rows of `model`."""
    rows = scoped(Area.objects.filter(level=AreaLevel.COMMUNITY), request.user, "read")
    return [a for a in rows.order_by("path") if can_in_area(request.user, "change", model, a.path)]


def _totals(disclosure: Disclosure) -> dict[str, str]:
    return {k: yuan(v) for k, v in selectors.finance_totals(disclosure).items()}


def _served(boards: QuerySet[Disclosure], pk: int) -> FileResponse:
    """An attachment of one of `boards` (what the user may open), else a 404."""
    found = get_object_or_404(
        DisclosureAttachment.objects.filter(disclosure__in=boards.values("pk")), pk=pk
    )
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


# --- the console ----------------------------------------------------------------------------


def disclosure_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Disclosure, "三务公开")
    get = request.GET
    board = get.get("board", "") if get.get("board") in Board.values else ""
    status = get.get("status", "") if get.get("status") in DisclosureStatus.values else ""
    area_id = whole_number(get, "area", "社区")
    try:
        period = period_parse(get["period"]) if get.get("period", "").strip() else ""
    except DomainError as refused:
        messages.error(request, refused.message)
        period = ""
    rows = selectors.disclosure_list(
        user=request.user, area_id=area_id, board=board, period=period, status=status
    )
    communities = scoped(
        Area.objects.filter(level=AreaLevel.COMMUNITY), request.user, "read"
    ).order_by("path")
    context = {
        "title": "三务公开",
        "breadcrumbs": [Crumb("三务公开")],
        "page": paginate(request, within_scope(request, rows, "area_path")),
        "communities": communities,
        "boards": Board.choices,
        "statuses": DisclosureStatus.choices,
        "chosen": {"area": area_id, "board": board, "period": period, "status": status},
        "period_typed": get.get("period", ""),
        "can_change": allowed(request.user, "change", Disclosure),
        "can_seat": allowed(request.user, "read", Supervisor),
    }
    return render(request, "notices/disclosure_list.html", context)


def disclosure_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "change", Disclosure, "三务公开")
    areas = Area.objects.filter(pk__in=[a.pk for a in _communities(request, Disclosure)])
    form = DisclosureForm(request.POST or None, areas=areas.order_by("path"))
    if request.method == "POST":
        if not form.is_valid():
            raise form_refused(form)
        disclosure = services.disclosure_create(actor=request.user, **form.cleaned_data)
        messages.success(request, "草稿已建立，请补充附件或明细后提交监委会审核")
        return redirect(disclosure)
    context = {
        "title": "编制三务公开",
        "breadcrumbs": [_crumb(), Crumb("编制")],
        "form": form,
    }
    return render(request, "notices/disclosure_new.html", context)


def disclosure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = get_object_or_404(selectors.disclosure_list(user=request.user), pk=pk)
    can_change = can(request.user, "change", disclosure)
    draft = disclosure.status == DisclosureStatus.DRAFT
    seat = selectors.supervisor_of(request.user, disclosure.area_path)
    context = {
        "title": disclosure.title,
        "disclosure": disclosure,
        "attachments": disclosure.attachments.all(),
        "items": selectors.items_of(disclosure),
        "totals": _totals(disclosure),
        "editing": can_change and draft,
        "can_publish": can_change and disclosure.status == DisclosureStatus.SIGNED_OFF,
        "may_sign": seat is not None
        and disclosure.status == DisclosureStatus.SUBMITTED
        and disclosure.created_by_id != request.user.pk,
        "edit_form": DisclosureEditForm(
            initial={"title": disclosure.title, "body": disclosure.body}
        ),
        "item_form": FinanceItemForm(),
        "sign_form": SignForm(),
        "breadcrumbs": [_crumb(), Crumb(disclosure.title)],
    }
    return render(request, "notices/disclosure_detail.html", context)


def _item(request: HttpRequest, disclosure: Disclosure) -> FinanceItem:
    form = FinanceItemForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    data = form.cleaned_data
    return services.finance_item_add(
        actor=request.user,
        disclosure=disclosure,
        description=data["description"],
        direction=data["direction"],
        amount=fen_of(data["amount"], label="金额（元）"),
        transaction_id=whole_number(data, "transaction", "账本交易编号"),
    )


def _edit(request: HttpRequest, disclosure: Disclosure) -> None:
    form = DisclosureEditForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    services.disclosure_edit(actor=request.user, disclosure=disclosure, **form.cleaned_data)


def _attach(request: HttpRequest, disclosure: Disclosure) -> None:
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError.on("file", "请选择要上传的附件")
    services.disclosure_attach(actor=request.user, disclosure=disclosure, file=upload)


def _detach(request: HttpRequest, disclosure: Disclosure) -> None:
    pk = whole_number(request.POST, "attachment", "附件")
    found = get_object_or_404(disclosure.attachments.all(), pk=pk or 0)
    services.attachment_remove(actor=request.user, attachment=found)


def _unline(request: HttpRequest, disclosure: Disclosure) -> None:
    pk = whole_number(request.POST, "item", "明细")
    found = get_object_or_404(disclosure.items.all(), pk=pk or 0)
    services.finance_item_remove(actor=request.user, item=found)


_CHANGES = {
    "edit": (_edit, "已保存"),
    "attach": (_attach, "附件已上传"),
    "detach": (_detach, "附件已删除"),
    "item": (_item, "明细已添加"),
    "unline": (_unline, "明细已删除"),
}


@require_POST
def disclosure_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Every write from the detail page, by `action`; the board is read through the user's
    scope first (another community's board is a 404), the service decides the rest."""
    disclosure = get_object_or_404(selectors.disclosure_list(user=request.user), pk=pk)
    action = request.POST.get("action", "")
    if action in _CHANGES:
        change, done = _CHANGES[action]
        change(request, disclosure)
        messages.success(request, done)
    elif action == "submit":
        services.disclosure_submit(actor=request.user, disclosure=disclosure)
        messages.success(request, "已提交居务监督委员会审核")
    elif action in ("approve", "return"):
        _sign(request, disclosure, approve=action == "approve")
    elif action == "publish":
        services.disclosure_publish(actor=request.user, disclosure=disclosure)
        messages.success(request, "已公开，本社区居民可在手机上查看")
    else:
        raise DomainError.on("action", "请选择要进行的操作")
    return redirect(disclosure)


def _sign(request: HttpRequest, disclosure: Disclosure, *, approve: bool) -> None:
    form = SignForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    services.disclosure_sign(
        actor=request.user, disclosure=disclosure, approve=approve, note=form.cleaned_data["note"]
    )
    messages.success(request, "已签字同意公开" if approve else "已退回，撰写人会收到您的意见")


def disclosure_file(request: HttpRequest, pk: int) -> FileResponse:
    return _served(selectors.disclosure_list(user=request.user), pk)


def disclosure_supervisors(request: HttpRequest) -> HttpResponse:
    """The 居务监督委员会 of the user's communities: its seated members, and seating one of a
    community's confirmed residents or staff."""
    require(request.user, "read", Supervisor, "居务监督委员会成员")
    communities = _communities(request, Supervisor)
    area_id = whole_number(request.GET, "area", "社区") or (
        communities[0].pk if len(communities) == 1 else None
    )
    area = next((a for a in communities if a.pk == area_id), None)
    form = SupervisorForm(
        request.POST or None,
        candidates=selectors.seat_candidates(area) if area else User.objects.none(),
    )
    if request.method == "POST":
        if area is None:
            raise DomainError.on("area", "请先选择社区")
        if not form.is_valid():
            raise form_refused(form)
        member = form.cleaned_data["user"]
        services.supervisor_name(
            actor=request.user,
            area=area,
            user=member,
            name=seat_name(member),
            duty=form.cleaned_data["duty"],
        )
        messages.success(request, f"已登记{seat_name(member)}为监委会{form.cleaned_data['duty']}")
        return redirect(f"{reverse('notices:disclosure_supervisors')}?area={area.pk}")
    context = {
        "title": "居务监督委员会",
        "breadcrumbs": [_crumb(), Crumb("监委会成员")],
        "members": selectors.supervisor_list(user=request.user, area_id=area_id),
        "communities": communities,
        "area": area,
        "form": form if area else None,
    }
    return render(request, "notices/disclosure_supervisors.html", context)


@require_POST
def supervisor_end(request: HttpRequest, pk: int) -> HttpResponse:
    seat = get_object_or_404(selectors.supervisor_list(user=request.user), pk=pk)
    services.supervisor_end(actor=request.user, supervisor=seat)
    messages.success(request, f"{seat.name}已卸任")
    return redirect(f"{reverse('notices:disclosure_supervisors')}?area={seat.area_id}")


# --- /m/: the 监委会 member's signature -----------------------------------------------------


@login_required
def m_disclosure_signs(request: HttpRequest) -> HttpResponse:
    if not selectors.seated(request.user).exists():
        raise DomainError.on("status", "您不是居务监督委员会成员", "forbidden")
    context = {
        "title": "监委会审核",
        "waiting": list(selectors.to_sign(request.user)[:100]),
        "signed": list(selectors.signed_by_me(request.user)[:20]),
    }
    return render(request, "notices/disclosure_m_signs.html", context)


@login_required
def m_disclosure_sign(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = get_object_or_404(selectors.for_supervisor(request.user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ("approve", "return"):
            raise DomainError.on("action", "请选择同意公开或退回")
        _sign(request, disclosure, approve=action == "approve")
        return redirect("notices:m_disclosure_signs")
    context = _reading(disclosure)
    context.update(
        {
            "waiting": disclosure.status == DisclosureStatus.SUBMITTED,
            "sign_form": SignForm(),
            "file_url": "notices:m_disclosure_sign_file",
            "back": reverse("notices:m_disclosure_signs"),
        }
    )
    return render(request, "notices/disclosure_m_detail.html", context)


@login_required
def m_disclosure_sign_file(request: HttpRequest, pk: int) -> FileResponse:
    return _served(selectors.for_supervisor(request.user), pk)


# --- /m/: what residents read ---------------------------------------------------------------


def _grouped(rows: Iterable[Disclosure]) -> list[tuple[str, list[Disclosure]]]:
    """Published boards as (board, its periods newest first), 党务, 居务, 财务 in turn."""
    by_board: dict[str, list[Disclosure]] = {b: [] for b in Board.values}
    for row in rows:
        by_board[row.board].append(row)
    return [(Board(b).label, found) for b, found in by_board.items() if found]


@resident_required
def m_disclosures(request: HttpRequest) -> HttpResponse:
    rows = selectors.disclosures_for(request.person)[:200]  # type: ignore[attr-defined]
    context = {"title": "三务公开", "groups": _grouped(rows)}
    return render(request, "notices/disclosure_m_list.html", context)


def _reading(disclosure: Disclosure) -> dict[str, Any]:
    return {
        "title": disclosure.title,
        "disclosure": disclosure,
        "attachments": disclosure.attachments.all(),
        "items": selectors.items_of(disclosure),
        "totals": _totals(disclosure),
    }


@resident_required
def m_disclosure(request: HttpRequest, pk: int) -> HttpResponse:
    disclosure = get_object_or_404(selectors.disclosures_for(request.person), pk=pk)  # type: ignore[attr-defined]
    context = _reading(disclosure)
    context["file_url"] = "notices:m_disclosure_file"
    context["back"] = reverse("notices:m_disclosures")
    return render(request, "notices/disclosure_m_detail.html", context)


@resident_required
def m_disclosure_file(request: HttpRequest, pk: int) -> FileResponse:
    return _served(selectors.disclosures_for(request.person), pk)  # type: ignore[attr-defined]
