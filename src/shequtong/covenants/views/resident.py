"""Covenants on /m/: the 居民公约 of the resident's community and the 小区公约 of their estate as
in force, a version under consultation with its comment form, and the answers given. Other
residents' comments show through `core.public.neighbour_view` (surname only; no name, door or
number in the words); the resident's own show as 我."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from shequtong.accounts.decorators import resident_required
from shequtong.core.public import neighbour_view
from shequtong.web.inputs import whole_number

from .. import selectors, services
from ..choices import VersionStatus


@resident_required
def m_covenants(request: HttpRequest) -> HttpResponse:
    me = request.person  # type: ignore[attr-defined]
    context = {"title": "公约", "rows": selectors.resident_covenants(me)}
    return render(request, "covenants/m_covenants.html", context)


@resident_required
def m_version(request: HttpRequest, pk: int) -> HttpResponse:
    me = request.person  # type: ignore[attr-defined]
    version = get_object_or_404(selectors.versions_for(me), pk=pk)
    if request.method == "POST":
        services.comment_add(
            actor=request.user,
            version=version,
            text=request.POST.get("text", ""),
            clause=whole_number(request.POST, "clause", "条款序号"),
        )
        messages.success(request, "意见已提交，社区答复后会通知您")
        return redirect("covenants:m_version", pk=pk)
    where = version.covenant.area_path
    comments = []
    for c in selectors.comments_of(version):
        seen = {"author": c.person.name, "area_path": where, "own": c.person_id == me.pk}
        who, text = neighbour_view(text=c.text, **seen)
        comments.append(
            {
                "pk": c.pk,
                "who": who,
                "clause": c.clause,
                "text": text,
                "at": c.created_at,
                "disposition": c.get_disposition_display(),
                "answer": neighbour_view(text=c.answer, **seen)[1],
            }
        )
    consulting = version.status == VersionStatus.CONSULTING
    context = {
        "title": str(version),
        "version": version,
        "covenant": version.covenant,
        "comments": comments,
        "consulting": consulting,
        "open": consulting and timezone.localdate() <= version.consult_until,
    }
    return render(request, "covenants/m_version.html", context)
