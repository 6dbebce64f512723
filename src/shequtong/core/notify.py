"""Sending a message to people, through pluggable channels.

`notify` stores the in-app notification (the inbox in the console and the resident portal)
and hands the message to every channel in `settings.SHEQUTONG_NOTIFY_CHANNELS`. SMS and
WeChat are interfaces: a deployment plugs in its gateway's adapter; the built-in ones only log,
so nothing leaves an intranet unless someone configures it to. Channels run after the
transaction commits, so a rolled-back change never sends anything.

What leaves the platform is only a message's `brief`: an SMS gateway or WeChat's servers (and
the log lines standing in for them) must never carry a name, a door, a phone number or a health
detail. Title and body stay in the access-checked inbox; a message without a brief goes out as
a bare "please sign in" note.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Notification, User

log = logging.getLogger(__name__)


OUTSIDE_DEFAULT = "社区通有一条新通知，请登录查看"


@dataclass(frozen=True)
class Message:
    title: str
    body: str = ""
    url: str = ""
    # The words that may leave the platform (SMS, WeChat): nothing personal in them.
    brief: str = ""

    @property
    def outside(self) -> str:
        return self.brief or OUTSIDE_DEFAULT

    @classmethod
    def plain(cls, title: str, body: str = "", url: str = "") -> Message:
        """A message whose title names nothing personal (a case number, a department, a
        deadline): the title itself may go out as the brief."""
        return cls(title, body, url, brief=title)


class Channel(Protocol):
    def send(self, user: User, message: Message) -> None: ...


class LoggingSmsChannel:
    """Stands where an SMS gateway adapter goes; writes what it would send to the log."""

    def send(self, user: User, message: Message) -> None:
        log.info("短信（未接入网关）→ 用户 %s：%s", user.pk, message.outside)


class LoggingWechatChannel:
    """Stands where a WeChat template-message adapter goes."""

    def send(self, user: User, message: Message) -> None:
        log.info("微信（未接入）→ 用户 %s：%s", user.pk, message.outside)


@cache
def channels() -> tuple[Channel, ...]:
    paths = getattr(settings, "SHEQUTONG_NOTIFY_CHANNELS", ())
    return tuple(import_string(path)() for path in paths)


def notify(users: Iterable[User], message: Message) -> list[Notification]:
    return notify_many([(users, message)])


def notify_many(batches: Iterable[tuple[Iterable[User], Message]]) -> list[Notification]:
    """Many messages in one INSERT (the deadline sweep tells thousands of people at once)."""
    out = notices(batches)
    created = Notification.objects.bulk_create(out.rows, batch_size=1000)
    out.send_after_commit()
    return created


@dataclass
class Notices:
    """Messages built but not yet stored: a caller writing other rows in the same statement
    stores `rows` with them, then calls `send_after_commit`."""

    rows: list[Notification]
    sends: list[tuple[User, Message]]

    def send_after_commit(self) -> None:
        if self.sends and channels():
            transaction.on_commit(self._send)

    def _send(self) -> None:
        for channel in channels():
            for user, message in self.sends:
                try:
                    channel.send(user, message)
                except Exception:  # a broken gateway must not undo the work that notified
                    log.exception("通知渠道 %s 发送失败", type(channel).__name__)


def notices(batches: Iterable[tuple[Iterable[User], Message]]) -> Notices:
    """Each message once to each active recipient of its batch."""
    out = Notices([], [])
    for users, message in batches:
        recipients = {u.pk: u for u in users if u is not None and u.is_active}.values()
        for user in recipients:
            out.rows.append(
                Notification(
                    user=user,
                    title=message.title[:100],
                    body=message.body[:500],
                    url=message.url,
                )
            )
            out.sends.append((user, message))
    return out
