"""Reference data that every report reads and an administrator changes a few times a year.

A case report needs the grid that holds its point, the calendar's overrides for its deadline
and the people who hold its area, for the notice. Read from the database each time they cost
more than writing the case itself (bench/case_intake.py), yet they change only when areas are
drawn, the calendar is adjusted or staff are granted. So each worker process keeps them:

- a save or delete of one of the `models` in this process drops its copy at once, and again
  when the transaction commits (another thread may have read the old row meanwhile);
- a save that changes only fields no load reads (`ignore_fields`: a user's `last_login` at
  every sign-in) drops nothing;
- another worker process sees the change within `SHEQUTONG_REFERENCE_TTL` seconds;
- `forget_all()` drops every copy (tests, between cases that reuse primary keys).

Never for decisions about what a user may see or do: those read the grants fresh on every
request (core.scoping).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

V = TypeVar("V")

_ALL: list[ReferenceCache] = []


class ReferenceCache(Generic[V]):
    """Values computed by `load(key)`, kept until `SHEQUTONG_REFERENCE_TTL` seconds after the
    first was computed or until this process writes one of `models` ("app_label.Model")."""

    def __init__(
        self,
        load: Callable[[Hashable], V],
        *,
        models: tuple[str, ...],
        ignore_fields: frozenset[str] = frozenset(),
    ):
        self._load = load
        self._models = models
        self._ignore = ignore_fields
        self._values: dict[Hashable, V] = {}
        self._expires = 0.0
        self._generation = 0  # bumped by forget(): a load that began before is not kept
        self._lock = threading.Lock()
        self._connected = False
        _ALL.append(self)

    def get(self, key: Hashable = None) -> V:
        if not self._connected:
            self._connect()
        now = time.monotonic()
        with self._lock:
            if now >= self._expires:
                self._values = {}
                self._expires = now + settings.SHEQUTONG_REFERENCE_TTL
            if key in self._values:
                return self._values[key]
            generation = self._generation
        value = self._load(key)  # outside the lock: a slow load does not stall other threads
        with self._lock:
            if generation == self._generation:
                self._values.setdefault(key, value)
        return value

    def forget(self, **_: object) -> None:
        with self._lock:
            self._values = {}
            self._expires = 0.0
            self._generation += 1

    def _changed(self, update_fields: frozenset[str] | None = None, **signal: object) -> None:
        if update_fields and set(update_fields) <= self._ignore:
            return
        self.forget()
        # Until the commit, other threads read the old row and may keep it: drop it again then.
        transaction.on_commit(self.forget, using=signal.get("using"))  # type: ignore[arg-type]

    def _connect(self) -> None:
        # Lazily: the models are not loaded when the modules defining caches are imported.
        for label in self._models:
            model = apps.get_model(label)
            uid = f"reference-{id(self)}"
            post_save.connect(self._changed, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(self._changed, sender=model, weak=False, dispatch_uid=uid)
        self._connected = True


def forget_all() -> None:
    for cache in _ALL:
        cache.forget()
