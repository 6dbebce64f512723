"""Domain events the registry publishes for other apps (sent with `core.events.publish`).

`residents_moved(person_ids, area_id, area_path)`: these residents are now filed under another
area (their building was placed in a grid); an app keeping rows under a resident (care's
profiles, devices, alarms, visits, orders) files them there too, so the same grid worker sees
the person and their care.
"""

from __future__ import annotations

from django.dispatch import Signal

residents_moved = Signal()
