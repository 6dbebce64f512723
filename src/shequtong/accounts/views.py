"""Resident sign-in and 实名认证 on /m/; the community's claim queue and organisation accounts
in the console. Thin: the services decide, a refused write comes back as a Chinese message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shequtong.core.errors import DomainError
from shequtong.core.scoping import allowed, is_staff, require, scoped
from shequtong.registry.models import Organization, Person
from shequtong.web.inputs import whole_number
from shequtong.web.pages import Crumb, paginate

from . import selectors, services
from .decorators import resident_required
from .forms import ClaimForm, OrgAccountForm, PhoneForm
from .models import ClaimStatus, OrgMembership, ResidentClaim


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def m_login(request: HttpRequest) -> HttpResponse:
    """手机号 + 短信验证码: the first sign-in makes the account."""
    form = PhoneForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            if request.POST.get("action") == "send":
                services.code_send(phone=phone)
                sent = True
                messages.success(request, "验证码已发送，5 分钟内有效")
            else:
                user = services.code_verify(phone=phone, code=form.cleaned_data["code"])
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                if is_staff(user):  # an organisation account works in the console
                    return redirect(_next(request) or "web:home")
                if services.person_of(user) is None:
                    return redirect("accounts:m_claim")
                return redirect(_next(request) or "web:resident_home")
        except DomainError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
            sent = "code" in exc.fields
    context = {"title": "居民登录", "form": form, "sent": sent, "next": _next(request)}
    return render(request, "accounts/m_login.html", context)


@login_required
def m_claim(request: HttpRequest) -> HttpResponse:
    claim = ResidentClaim.objects.filter(user=request.user).select_related("area").first()
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_submit(
                user=request.user,
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                community=form.cleaned_data["community"],
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if claim.status == ClaimStatus.CONFIRMED:
                messages.success(request, "实名认证成功")
                return redirect("web:resident_home")
            messages.info(request, "已提交，社区工作人员核实后会通知您")
            return redirect("accounts:m_claim")
    context = {"title": "实名认证", "form": form, "claim": claim}
    return render(request, "accounts/m_claim.html", context)


@resident_required
def m_proxy(request: HttpRequest) -> HttpResponse:
    """代办: the elders of one's household (60 or older) one may act for, and starting it."""
    me = request.person  # type: ignore[attr-defined]
    if request.method == "POST":
        elder = get_object_or_404(
            selectors.household_elders(me), pk=whole_number(request.POST, "person", "家人") or 0
        )
        services.proxy_start(user=request.user, person=elder)
        messages.success(request, f"已开通为{elder.name}代办，代办的事项都会注明")
        return redirect("accounts:m_proxy")
    acting = {p.person_id for p in selectors.proxies_of(request.user)}
    context = {
        "title": "为家人代办",
        "elders": [(p, p.pk in acting) for p in selectors.household_elders(me)],
    }
    return render(request, "accounts/m_proxy.html", context)


# --- the console ------------------------------------------------------------------------------


def claim_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", ResidentClaim, "实名认证")
    status = request.GET.get("status", ClaimStatus.PENDING)
    rows = selectors.claim_list(user=request.user, status=status or None)
    context = {
        "title": "实名认证",
        "breadcrumbs": [Crumb("实名认证")],
        "page": paginate(request, rows),
        "status": status,
        "statuses": ClaimStatus.choices,
    }
    return render(request, "accounts/claim_list.html", context)


@require_POST
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(scoped(ResidentClaim.objects.all(), request.user, "change"), pk=pk)
    if request.POST.get("decision") == "reject":
        services.claim_reject(actor=request.user, claim=claim, note=request.POST.get("note", ""))
        messages.success(request, "已驳回，居民会看到原因")
    else:
        person = None
        if person_id := whole_number(request.POST, "person", "档案居民编号"):
            person = get_object_or_404(
                scoped(Person.objects.all(), request.user, "change"), pk=person_id
            )
        services.claim_confirm(actor=request.user, claim=claim, person=person)
        messages.success(request, "已确认实名认证")
    return redirect("accounts:claim_list")


def org_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", OrgMembership, "组织账号")
    organizations = scoped(Organization.objects.all(), request.user, "read").order_by("name")
    form = OrgAccountForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        require(request.user, "change", OrgMembership, "组织账号")
        user = services.org_account_open(actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            f"已为“{form.cleaned_data['organization']}”开通账号 {user.username}，"
            "对方用该手机号在居民端以短信验证码登录",
        )
        return redirect("accounts:org_list")
    context = {
        "title": "组织账号",
        "breadcrumbs": [Crumb("组织账号")],
        "page": paginate(request, selectors.org_members(user=request.user)),
        "form": form,
        "can_change": allowed(request.user, "change", OrgMembership),
    }
    return render(request, "accounts/org_list.html", context)
