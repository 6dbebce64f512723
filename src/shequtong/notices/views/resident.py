"""通知公告, 公示 and 三务公开 on /m/: every page acts for the signed-in resident's own registry
record (实名认证) and shows what is addressed to where they live. Other residents appear only
as `public_name` (张**), never with a door, an ID or a phone number."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from shequtong.accounts.decorators import resident_required
from shequtong.core.public import neighbour_view

from .. import selectors, services


@resident_required
def m_notices(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.notices_for(request.person)[:100])  # type: ignore[attr-defined]
    context = {
        "title": "通知公告",
        "rows": rows,
        "unread": sum(1 for n in rows if n.unread),
    }
    return render(request, "notices/m_notices.html", context)


@resident_required
def m_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(selectors.notices_for(request.person), pk=pk)  # type: ignore[attr-defined]
    services.notice_read(actor=request.user, notice=notice)
    return render(request, "notices/m_notice.html", {"title": notice.title, "notice": notice})


@resident_required
def m_publicity(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.publicity_for(request.person)[:50])  # type: ignore[attr-defined]
    return render(request, "notices/m_publicity.html", {"title": "公示", "rows": rows})


@resident_required
def m_publicity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = request.person  # type: ignore[attr-defined]
    publicity = get_object_or_404(selectors.publicity_for(person), pk=pk)
    if request.method == "POST":
        services.publicity_comment(
            actor=request.user, publicity=publicity, text=request.POST.get("text", "")
        )
        messages.success(request, "意见已提交，社区答复后会通知您")
        return redirect("notices:m_publicity_detail", pk=pk)
    comments = []
    for c in selectors.comments_of(publicity):
        seen = {"author": c.person.name, "area_path": publicity.area_path}
        seen["own"] = c.person_id == person.pk
        who, shown = neighbour_view(text=c.text, **seen)
        _, answer = neighbour_view(text=c.answer, **seen)
        comments.append(
            {
                "pk": c.pk,
                "who": who,
                "text": shown,
                "at": c.created_at,
                "answer": answer,
                "answered_at": c.answered_at,
            }
        )
    now = timezone.now()
    context = {
        "title": publicity.title,
        "publicity": publicity,
        "comments": comments,
        "open": publicity.starts_at <= now < publicity.ends_at,
    }
    return render(request, "notices/m_publicity_detail.html", context)
