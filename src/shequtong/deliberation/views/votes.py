"""Votes in the console (create, the pre-vote check, open, key in paper and proxy ballots,
close and publish) and on /m/ (the voter's ballot, the published result and roll)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shequtong.accounts.decorators import resident_required
from shequtong.core.scoping import allowed, require, scoped
from shequtong.registry.models import Estate
from shequtong.web.inputs import form_refused, whole_number
from shequtong.web.pages import Crumb, paginate

from .. import selectors, services
from ..choices import Choice, VoteStatus
from ..forms import KeyedBallotForm, VoteForm
from ..models import Ballot, RollEntry, Vote


def vote_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Vote, "表决")
    estates = scoped(Estate.objects.all(), request.user, "read").order_by("name")
    areas = selectors.decision_areas(request.user)
    form = VoteForm(request.POST or None, estates=estates, areas=areas)
    if request.method == "POST":
        if not form.is_valid():
            raise form_refused(form)
        vote = services.vote_create(actor=request.user, **form.cleaned_data)
        return redirect("deliberation:vote_detail", pk=vote.pk)
    context = {
        "title": "表决",
        "breadcrumbs": [Crumb("表决")],
        "page": paginate(request, selectors.vote_list(user=request.user)),
        "form": form,
        "can_change": allowed(request.user, "change", Vote),
    }
    return render(request, "deliberation/vote_list.html", context)


def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = get_object_or_404(selectors.vote_list(user=request.user), pk=pk)
    counted = selectors.counted_by_entry(vote)
    roll = [(e, counted.get(e.pk)) for e in selectors.roll_of(vote)]
    live = vote.status == VoteStatus.OPEN
    context = {
        "title": vote.title,
        "vote": vote,
        "problems": services.pre_vote_check(vote.estate) if vote.status == VoteStatus.DRAFT else [],
        "roll": roll,
        # A secret vote shows no count of choices before it closes: the turnout only.
        "tally": vote.result or (services.tally(vote) if live and not vote.secret else None),
        "turnout": vote.roll.exclude(voted_at=None).count() if live and vote.secret else None,
        "boxed": vote.secret_ballots.count() if live and vote.secret else None,
        "recounted": services.recount(vote) if vote.status == VoteStatus.CLOSED else None,
        "keyed_form": KeyedBallotForm(),
        "can_change": scoped(Vote.objects.filter(pk=pk), request.user, "change").exists(),
        "breadcrumbs": [Crumb("表决", reverse("deliberation:vote_list")), Crumb(vote.title)],
    }
    return render(request, "deliberation/vote_detail.html", context)


@require_POST
def vote_action(request: HttpRequest, pk: int) -> HttpResponse:
    vote = get_object_or_404(scoped(Vote.objects.all(), request.user, "change"), pk=pk)
    action = request.POST.get("action")
    if action == "open":
        vote = services.vote_open(actor=request.user, vote=vote)
        size = f"名册 {vote.total_owners} {'户' if vote.electorate == 'households' else '人'}"
        if vote.electorate == "owners":
            size += f"，专有部分 {vote.total_area} m²"
        messages.success(request, f"已开启：{size}")
    elif action == "close":
        vote = services.vote_close(actor=request.user, vote=vote)
        messages.success(
            request, "表决已结束，结果已公布" + ("：通过" if vote.result["passed"] else "：未通过")
        )
    elif action == "key":
        form = KeyedBallotForm(request.POST, request.FILES)
        if not form.is_valid():
            raise form_refused(form)
        data = form.cleaned_data
        entry = get_object_or_404(RollEntry, pk=data["entry"], vote=vote)
        ballot = services.ballot_cast(
            actor=request.user,
            vote=vote,
            entry=entry,
            choice=data["choice"],
            channel=data["channel"],
            document=data["document"],
            proxy_name=data["proxy_name"],
            picks=request.POST.getlist("picks"),
        )
        if ballot is None:
            messages.success(request, "已登记领票；请在“录入纸质票”中不记名录入该选票")
        else:
            messages.success(request, f"已录入，回执码 {ballot.receipt}")
    elif action == "box":
        boxed = services.paper_ballot_count(
            actor=request.user,
            vote=vote,
            choice=request.POST.get("choice", ""),
            picks=request.POST.getlist("picks"),
        )
        messages.success(request, f"纸质票已录入票箱（{boxed.shown}）")
    return redirect("deliberation:vote_detail", pk=pk)


@resident_required
def m_vote_roll(request: HttpRequest, pk: int) -> HttpResponse:
    """The published roll of a closed vote, a page at a time (an estate's runs to thousands)."""
    vote = get_object_or_404(
        selectors.votes_of_voter(request.person).filter(status=VoteStatus.CLOSED),  # type: ignore[attr-defined]
        pk=pk,
    )
    page = paginate(request, selectors.roll_of(vote), size=100)
    context = {
        "title": f"投票名册 · {vote.title}",
        "vote": vote,
        "page": page,
        "rows": selectors.published_roll(vote, page.object_list),
    }
    return render(request, "deliberation/m_vote_roll.html", context)


@resident_required
def m_votes(request: HttpRequest) -> HttpResponse:
    """The voter's votes: cast (again, while open, when named: the latest counts; once, when
    secret) and, after closing, read the result and the roll."""
    me = request.person  # type: ignore[attr-defined]
    if request.method == "POST":
        vote = get_object_or_404(
            selectors.votes_of_voter(me), pk=whole_number(request.POST, "vote", "表决") or 0
        )
        ballot = services.ballot_cast(
            actor=request.user,
            vote=vote,
            choice=request.POST.get("choice", ""),
            picks=request.POST.getlist("picks"),
        )
        then = (
            "无记名票已投入票箱，不能更改；请记下回执码"
            if vote.secret
            else "截止前可改投，以最后一次为准"
        )
        messages.success(request, f"已投票（{ballot.shown}），回执码 {ballot.receipt}；{then}")
        return redirect("deliberation:m_votes")
    votes = list(selectors.votes_of_voter(me))
    entries = selectors.entries_of_voter(me, votes)
    named = {b.entry_id: b for b in Ballot.objects.filter(entry__in=entries.values(), current=True)}
    rows = [
        {
            "vote": v,
            "entry": entries.get(v.pk),
            "ballot": named.get(getattr(entries.get(v.pk), "pk", None)),
        }
        for v in votes
    ]
    context = {"title": "表决", "rows": rows, "choices": Choice.choices}
    return render(request, "deliberation/m_votes.html", context)
