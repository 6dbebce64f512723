from .assets import Facility, Organization, Vehicle
from .imports import ImportJob, ImportMode, ImportStatus
from .people import Household, Person, PersonEvent, PersonTag, PersonTagAssignment
from .places import Building, Dwelling, Estate

__all__ = [
    "Building",
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
