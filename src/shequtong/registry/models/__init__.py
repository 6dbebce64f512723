from .assets import Facility, Organization, Vehicle
from .imports import BUSY, INTERRUPTED, ColumnMapping, ImportJob, ImportMode, ImportStatus
from .people import Household, Person, PersonEvent, PersonTag, PersonTagAssignment
from .places import Building, Dwelling, Estate

__all__ = [
    "BUSY",
    "INTERRUPTED",
    "Building",
    "ColumnMapping",
    "Dwelling",
    "Estate",
    "Facility",
    "Household",
    "ImportJob",
    "ImportMode",
    "ImportStatus",
    "Organization",
    "Person",
    "PersonEvent",
    "PersonTag",
    "PersonTagAssignment",
    "Vehicle",
]
