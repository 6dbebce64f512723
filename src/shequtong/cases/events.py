"""Domain events cases publishes for other apps (sent with `core.events.publish`).

`follow_up_opened(origin, number)`: a case was opened to follow up another app's record;
`origin` is the key that app put in its request ("care.alarm:12"), `number` the tracking
number of the case.

`resident_report_resolved(number, reporter_id)`: a resident's 随手拍 was handled (办结), the
report thus valid; `reporter_id` is the reporting user's id (volunteering credits 爱心币).

`case_resolved(number)`: any case was handled (办结); an app that asked for it (a topic's
resolution) tells its own people.
"""

from __future__ import annotations

from django.dispatch import Signal

follow_up_opened = Signal()
resident_report_resolved = Signal()
case_resolved = Signal()
