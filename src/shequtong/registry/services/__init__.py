"""The registry's writes, one module per subject (STYLE.md 23): `people` (persons, their tags
and timeline, the doors they live behind), `assets` (estates, buildings, dwellings, households,
vehicles, organizations, facilities), `grids` (buildings placed in grids, everyone behind the
doors following). The people's services are re-exported here, as callers have always named
them (`services.person_create`); the others are used by module (`services.assets`)."""

from . import assets, grids
from .people import (
    PersonData,
    apply_person_data,
    dwelling_get_or_create,
    floor_from_number,
    person_create,
    person_decease,
    person_move_out,
    person_update,
    record_event,
    tag_add,
    tag_end,
    tags_sync,
)

__all__ = [
    "PersonData",
    "apply_person_data",
    "assets",
    "dwelling_get_or_create",
    "floor_from_number",
    "grids",
    "person_create",
    "person_decease",
    "person_move_out",
    "person_update",
    "record_event",
    "tag_add",
    "tag_end",
    "tags_sync",
]
