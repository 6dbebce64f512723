"""Domain events deliberation publishes for other apps (sent with `core.events.publish`).

`resolution_adopted(origin, category_code, summary, area_id, url, actor_id)`: a topic's
resolution is to be carried out as a case. `summary` is the topic and its resolution as staff
wrote them (no personal data: resolutions are published anyway); `url` the topic's
access-checked page. The cases app opens the case and answers with
`cases.events.follow_up_opened(origin, number)`; `origin` is "deliberation.topic:<pk>".
"""

from __future__ import annotations

from django.dispatch import Signal

resolution_adopted = Signal()
ORIGIN = "deliberation.topic"
