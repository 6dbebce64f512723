"""A meeting in the console: invitees (co-opted 党代表, 人大代表, 政协委员, organisations), sign-in,
files, and the minutes and counts its rule is applied to."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shequtong.core.scoping import scoped
from shequtong.web.inputs import form_refused, whole_number
from shequtong.web.pages import Crumb

from .. import selectors, services
from ..forms import InviteeForm, MeetingRecordForm
from ..models import Meeting, MeetingFile
from .topics import CRUMB


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(selectors.meeting_list(user=request.user), pk=pk)
    can_change = scoped(Meeting.objects.filter(pk=pk), request.user, "change").exists()
    invitees = list(meeting.invitees.all())
    initial = {
        "minutes": meeting.minutes,
        "resolution": meeting.resolution,
        "due": meeting.due,
        "present": meeting.present,
        "agree": meeting.agree,
        "disagree": meeting.disagree,
        "abstain": meeting.abstain,
    }
    topic = meeting.topic
    context = {
        "title": meeting.title,
        "meeting": meeting,
        "invitees": invitees,
        "signed_in": sum(1 for i in invitees if i.signed_in_at),
        "files": meeting.files.all(),
        "record_form": MeetingRecordForm(initial=initial),
        "invitee_form": InviteeForm(),
        "can_change": can_change,
        "breadcrumbs": [
            CRUMB,
            *(
                [Crumb(topic.title, reverse("deliberation:topic_detail", args=[topic.pk]))]
                if topic
                else []
            ),
            Crumb(meeting.title),
        ],
    }
    return render(request, "deliberation/meeting_detail.html", context)


@require_POST
def meeting_action(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(scoped(Meeting.objects.all(), request.user, "change"), pk=pk)
    action = request.POST.get("action", "")
    if action == "invite":
        form = InviteeForm(request.POST)
        if not form.is_valid():
            raise form_refused(form)
        services.invitee_add(actor=request.user, meeting=meeting, **form.cleaned_data)
    elif action == "sign_in":
        invitee = get_object_or_404(
            meeting.invitees, pk=whole_number(request.POST, "invitee", "参会人员") or 0
        )
        services.invitee_sign_in(actor=request.user, meeting=meeting, invitee=invitee)
    elif action == "record":
        form = MeetingRecordForm(request.POST)
        if not form.is_valid():
            raise form_refused(form)
        meeting = services.meeting_record(actor=request.user, meeting=meeting, **form.cleaned_data)
        if meeting.outcome and not meeting.outcome["passed"]:
            messages.warning(request, "已记录，表决未通过：" + "；".join(meeting.outcome["failed"]))
        else:
            messages.success(request, "会议已记录")
    elif action == "file":
        upload = request.FILES.get("file")
        if upload is None:
            return redirect("deliberation:meeting_detail", pk=pk)
        services.meeting_file_add(actor=request.user, meeting=meeting, upload=upload)
    return redirect("deliberation:meeting_detail", pk=pk)


def meeting_file(request: HttpRequest, pk: int) -> FileResponse:
    """Files of a meeting are served through the meeting's scope: minutes name people."""
    attached = get_object_or_404(
        MeetingFile.objects.filter(meeting__in=selectors.meeting_list(user=request.user)), pk=pk
    )
    return FileResponse(attached.file.open("rb"), as_attachment=True, filename=attached.name)
