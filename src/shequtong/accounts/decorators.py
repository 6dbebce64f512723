"""The one door of every resident page on /m/: signed in, and 实名 (the account confirmed as a
registry person), or sent to the claim page first with the reason."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .services import person_of


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view finds the resident's registry person as `request.person`."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        person = person_of(request.user)
        if person is None:
            messages.info(request, "请先完成实名认证")
            return redirect("accounts:m_claim")
        request.person = person  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped
