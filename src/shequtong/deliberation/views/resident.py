"""Topics on /m/: a resident proposes one about their community, estate or building, and
follows the topics of their community through their steps to the published result."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shequtong.accounts.decorators import resident_required
from shequtong.accounts.services import person_of
from shequtong.web.inputs import form_refused

from .. import selectors, services
from ..forms import ResidentTopicForm


@resident_required
def m_topics(request: HttpRequest) -> HttpResponse:
    me = request.person  # type: ignore[attr-defined]
    form = ResidentTopicForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            raise form_refused(form)
        topic = services.resident_topic_propose(actor=request.user, **form.cleaned_data)
        messages.success(request, "议题已提交，社区受理后会通知您")
        return redirect("deliberation:m_topic", pk=topic.pk)
    context = {
        "title": "议事协商",
        "topics": [
            selectors.topic_as_seen(t, request.user)
            for t in selectors.topics_for_resident(me, request.user)[:50]
        ],
        "form": form,
    }
    return render(request, "deliberation/m_topics.html", context)


@resident_required
def m_topic(request: HttpRequest, pk: int) -> HttpResponse:
    me = request.person  # type: ignore[attr-defined]
    topic = get_object_or_404(selectors.topics_for_resident(me, request.user), pk=pk)
    proposer = person_of(topic.proposer) if topic.proposer_id else None
    author = proposer.name if proposer else ""
    topic = selectors.topic_as_seen(topic, request.user, author=author)
    context = {
        "title": topic.title,
        "topic": topic,
        "steps": topic.steps.all(),
        "updates": selectors.updates_as_seen(topic, request.user, author=author),
    }
    return render(request, "deliberation/m_topic.html", context)
