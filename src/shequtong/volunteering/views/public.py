"""The certificate check anyone may open without login: it shows what the certificate itself
shows (masked name and ID, hours, content, issuer, date), copied at issue through core.public."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..models import Certificate
from ..services.certificates import hours_text


def verify(request: HttpRequest, number: str = "") -> HttpResponse:
    number = (number or request.GET.get("number", "")).strip().upper()
    if not number:
        return render(request, "volunteering/verify.html", {"title": "志愿服务证明查验"})
    if request.GET.get("number"):
        return redirect("volunteering:verify", number=number)
    certificate = Certificate.objects.filter(number=number).first()
    context = {
        "title": "志愿服务证明查验",
        "number": number,
        "certificate": certificate,
        "hours": hours_text(certificate.minutes) if certificate else "",
    }
    return render(request, "volunteering/verify.html", context, status=200 if certificate else 404)
