"""Domain events care publishes for other apps (sent with `core.events.publish`).

`alarm_follow_up(origin, kind_label, outcome_label, area_id, place, url, actor_id)`: an alarm
was resolved and needs follow-up beyond the visit (a gas leak to check, a family to talk to).
The payload names no person and no health detail: `place` is the building at most, `url` the
alarm's access-checked page. The cases app opens a case for it; `origin` ("care.alarm:12")
comes back with the case's number (`cases.events.follow_up_opened`), and care links the two.
"""

from __future__ import annotations

from django.dispatch import Signal

alarm_follow_up = Signal()
ORIGIN = "care.alarm"
