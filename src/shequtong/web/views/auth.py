"""Sign-in, sign-out, TOTP enrolment and verification, and the lockout page."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from shequtong.core.audit import audit_record

from ..forms import LoginForm, TotpForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A portal page asked for a sign-in: residents sign in by phone, not with a password.
        target = request.GET.get("next", "")
        if target.startswith("/m/") and not request.user.is_authenticated:
            login = resolve_url(settings.SHEQUTONG_RESIDENT_LOGIN_URL)
            return redirect(f"{login}?{urlencode({'next': target})}")
        return super().get(request, *args, **kwargs)


login_view = LoginView.as_view()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any], *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this instead of its English page once the failure limit is reached."""
    return render(request, "web/login.html", {"locked": True, "form": LoginForm()}, status=429)


def qr_svg(data: str) -> str:
    # segno writes the SVG itself: no image library, nothing fetched.
    return segno.make(data, error="m").svg_inline(scale=4)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify a confirmed authenticator, or enrol the first one (shown as a QR code)."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "认证器"}
        )
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("token", "尝试过于频繁，请稍等几秒后再输入新的验证码")
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(actor=user, action="auth.totp_enrol", obj=user)
            otp_login(request, device)
            messages.success(request, "双因素认证已通过")
            return redirect("web:home")
        else:
            form.add_error("token", "验证码不正确或已过期，请输入认证器上当前显示的 6 位数字")
    context = {
        "form": form,
        "enrolling": enrolling,
        "qr": mark_safe(qr_svg(device.config_url)) if enrolling else None,  # noqa: S308
        "secret": base64.b32encode(device.bin_key).decode() if enrolling else None,
    }
    return render(request, "web/two_factor.html", context)
