"""Topics in the console: the list and staff's proposal, a topic's steps with the form its
current step needs, its meetings, and the community's procedures (copy, adapt)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shequtong.cases.models import Case, case_pk
from shequtong.cases.tree import tree
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, community_path
from shequtong.core.scoping import allowed, require, scoped
from shequtong.registry.models import Building, Estate
from shequtong.surveys.choices import SurveyStatus
from shequtong.surveys.models import Survey
from shequtong.web.inputs import form_refused, whole_number
from shequtong.web.pages import Crumb, paginate

from .. import selectors, services
from ..choices import Electorate, StepKind, TopicStatus, VoteStatus
from ..electorates import adult_residents, households, party_members, representatives
from ..forms import MeetingForm, TopicForm
from ..models import Procedure, Topic, Vote
from ..procedures import MAX_STEPS

CRUMB = Crumb("议事协商", "deliberation:topic_list")


def _topic_form(request: HttpRequest) -> TopicForm:
    user = request.user
    return TopicForm(
        request.POST or None,
        areas=selectors.decision_areas(user),
        estates=scoped(Estate.objects.all(), user, "read").order_by("name"),
        buildings=scoped(Building.objects.select_related("estate"), user, "read").order_by(
            "estate__name", "number"
        ),
    )


def _cases(request: HttpRequest, raw: str) -> list[Case]:
    numbers = [n for n in re.split(r"[\s,，、]+", raw) if n]
    pks = [pk for pk in map(case_pk, numbers) if pk is not None]
    found = [
        c
        for c in scoped(Case.objects.filter(pk__in=pks), request.user, "read")
        if c.number in numbers
    ]
    missing = sorted(set(numbers) - {c.number for c in found})
    if missing:
        raise DomainError.on("case_numbers", f"找不到事件：{'、'.join(missing[:5])}")
    return found


def topic_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Topic, "议事协商")
    form = _topic_form(request)
    if request.method == "POST":
        if not form.is_valid():
            raise form_refused(form)
        data = form.cleaned_data
        topic = services.topic_propose(
            actor=request.user,
            title=data["title"],
            description=data["description"],
            source=data["source"],
            level=data["level"],
            area=data["area"],
            estate=data["estate"],
            building=data["building"],
            cases=_cases(request, data["case_numbers"]),
        )
        return redirect("deliberation:topic_detail", pk=topic.pk)
    status = request.GET.get("status", "")
    status = status if status in TopicStatus.values else ""
    context = {
        "title": "议事协商",
        "breadcrumbs": [Crumb("议事协商")],
        "page": paginate(request, selectors.topic_list(user=request.user, status=status)),
        "statuses": TopicStatus.choices,
        "status": status,
        "form": form,
        "can_change": allowed(request.user, "change", Topic),
    }
    return render(request, "deliberation/topic_list.html", context)


def _electorate_counts(area: Area) -> dict[str, int]:
    community = Area.objects.get(path=community_path(area.path))
    return {
        "adults": adult_residents(community).count(),
        "households": households(community).count(),
        "representatives": representatives(community).count(),
        "party": party_members(community).count(),
    }


def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(selectors.topic_list(user=request.user), pk=pk)
    can_change = scoped(Topic.objects.filter(pk=pk), request.user, "change").exists()
    steps = list(topic.steps.select_related("meeting", "vote", "done_by"))
    current = steps[topic.step_index] if topic.status == TopicStatus.RUNNING else None
    meetings = list(topic.meetings.order_by("starts_at"))
    context: dict[str, Any] = {
        "title": topic.title,
        "topic": topic,
        "steps": steps,
        "current": current,
        "meetings": meetings,
        "held": [m for m in meetings if m.held],
        "first_publish": not any(s.kind == StepKind.PUBLISH and s.done_at for s in steps),
        "updates": topic.updates.select_related("created_by")[:50],
        "can_change": can_change,
        "meeting_form": MeetingForm(),
        "counts": _electorate_counts(topic.area) if can_change else {},
        "breadcrumbs": [CRUMB, Crumb(topic.title)],
    }
    if can_change and topic.status == TopicStatus.PROPOSED:
        community = Area.objects.get(path=community_path(topic.area_path))
        context["procedures"] = services.procedures_of(community)
    if current and current.kind == StepKind.OWNERS_VOTE:
        context["votes"] = scoped(
            Vote.objects.filter(
                electorate=Electorate.OWNERS,
                estate_id=topic.estate_id,
                estate__isnull=False,
                status=VoteStatus.CLOSED,
            ),
            request.user,
            "read",
        )
    if current and current.kind == StepKind.SURVEY:
        context["surveys"] = scoped(
            Survey.objects.filter(
                area_path__startswith=community_path(topic.area_path),
                status=SurveyStatus.CLOSED,
            ),
            request.user,
            "read",
        )
    if can_change and topic.resolution and not topic.case_number:
        context["categories"] = sorted(
            (
                (c.code, f"{c.parent.name if c.parent else ''} / {c.name}")
                for c in tree().leaves.values()
            ),
            key=lambda pair: pair[1],
        )
    return render(request, "deliberation/topic_detail.html", context)


@require_POST
def topic_action(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(scoped(Topic.objects.all(), request.user, "change"), pk=pk)
    action = request.POST.get("action", "")
    post = request.POST
    if action == "accept":
        community = Area.objects.get(path=community_path(topic.area_path))
        procedure = get_object_or_404(
            Procedure.objects.filter(area=community, current=True),
            pk=whole_number(post, "procedure", "议事规程") or 0,
        )
        services.topic_accept(actor=request.user, topic=topic, procedure=procedure)
        messages.success(request, f"已受理，按「{procedure.name}」议事")
    elif action == "decline":
        services.topic_decline(actor=request.user, topic=topic, reason=post.get("reason", ""))
    elif action == "end":
        services.topic_end(actor=request.user, topic=topic, reason=post.get("reason", ""))
    elif action == "step":
        meeting_id = whole_number(post, "meeting", "会议")
        vote_id = whole_number(post, "vote", "业主表决")
        survey_id = whole_number(post, "survey", "入户问卷")
        step = services.step_complete(
            actor=request.user,
            topic=topic,
            index=whole_number(post, "index", "步骤") or 0,
            note=post.get("note", ""),
            document=request.FILES.get("document"),
            meeting=topic.meetings.filter(pk=meeting_id).first() if meeting_id else None,
            vote=scoped(Vote.objects.filter(pk=vote_id), request.user, "read").first()
            if vote_id
            else None,
            survey=scoped(Survey.objects.filter(pk=survey_id), request.user, "read").first()
            if survey_id
            else None,
        )
        messages.success(request, f"「{step.name}」已完成")
    elif action == "meeting":
        form = MeetingForm(post)
        if not form.is_valid():
            raise form_refused(form)
        meeting = services.meeting_create(actor=request.user, topic=topic, **form.cleaned_data)
        return redirect("deliberation:meeting_detail", pk=meeting.pk)
    elif action == "to_case":
        services.resolution_to_case(
            actor=request.user, topic=topic, category_code=post.get("category", "")
        )
        messages.success(request, "已提交转办，事件编号生成后显示在议题上")
    elif action == "update":
        services.topic_update(actor=request.user, topic=topic, text=post.get("text", ""))
        messages.success(request, "进展已发布，并通知了所有参与者")
    return redirect("deliberation:topic_detail", pk=pk)


def _community(request: HttpRequest) -> Area | None:
    communities = scoped(Area.objects.filter(level=AreaLevel.COMMUNITY), request.user, "read")
    chosen = whole_number(request.GET, "community", "社区")
    if chosen:
        return get_object_or_404(communities, pk=chosen)
    return communities.order_by("path").first()


def procedure_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Procedure, "议事规程")
    community = _community(request)
    context = {
        "title": "议事规程",
        "community": community,
        "communities": scoped(
            Area.objects.filter(level=AreaLevel.COMMUNITY), request.user, "read"
        ).order_by("path"),
        "procedures": services.procedures_of(community) if community else [],
        "breadcrumbs": [CRUMB, Crumb("议事规程")],
    }
    return render(request, "deliberation/procedure_list.html", context)


def procedure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = get_object_or_404(scoped(Procedure.objects.all(), request.user, "read"), pk=pk)
    can_change = scoped(Procedure.objects.filter(pk=pk), request.user, "change").exists()
    if request.method == "POST":
        procedure = get_object_or_404(
            scoped(Procedure.objects.all(), request.user, "change"), pk=pk
        )
        if request.POST.get("action") == "copy":
            made = services.procedure_copy(
                actor=request.user, procedure=procedure, name=request.POST.get("name", "")
            )
        else:
            made = services.procedure_adapt(
                actor=request.user,
                procedure=procedure,
                name=request.POST.get("name", ""),
                steps=_posted_steps(request),
            )
        messages.success(request, f"已保存：{made}")
        return redirect("deliberation:procedure_detail", pk=made.pk)
    rows = list(procedure.steps) + [{}] * 2
    context = {
        "title": str(procedure),
        "procedure": procedure,
        "rows": rows[:MAX_STEPS],
        "kinds": StepKind.choices,
        "versions": Procedure.objects.filter(
            area=procedure.area, lineage=procedure.lineage
        ).order_by("-version"),
        "can_change": can_change and procedure.current,
        "breadcrumbs": [
            CRUMB,
            Crumb("议事规程", reverse("deliberation:procedure_list")),
            Crumb(str(procedure)),
        ],
    }
    return render(request, "deliberation/procedure_detail.html", context)


def _posted_steps(request: HttpRequest) -> list[dict[str, Any]]:
    """Rows step-0-name, step-0-kind … as the form posts them, in order."""
    post = request.POST
    return [
        {f: post.get(f"step-{n}-{f}", "") for f in ("name", "kind", "actor", "needs", "days")}
        for n in range(MAX_STEPS)
    ]
