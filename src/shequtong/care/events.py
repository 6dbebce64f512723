"""Domain events care publishes for other apps (sent with `core.events.publish`).

`alarm_follow_up(origin, kind_label, outcome_label, area_id, place, url, actor_id)`: an alarm
was resolved and needs follow-up beyond the visit (a gas leak to check, a family to talk to).
The payload names no person and no health detail: `place` is the building at most, `url` the
alarm's access-checked page. The cases app opens a case for it; `origin` ("care.alarm:12")
comes back with the case's number (`cases.events.follow_up_opened`), and care links the two.

`care_order_done(order_id, person_id, volunteer_id, minutes, service_label)`: a home-service
order a volunteer did is complete; `person_id` is the registry person served, `volunteer_id`
the volunteer's user, `minutes` the time served. Volunteering moves it in the time bank.
"""

from __future__ import annotations

from django.dispatch import Signal

alarm_follow_up = Signal()
care_order_done = Signal()
ORIGIN = "care.alarm"
