"""Care's writes, one module per subject (STYLE.md 23): `profiles` (profiles, consent,
contacts, devices and their tokens, thresholds, the follow-up link, residents moving), `orders`
(home-service orders and subsidies), `visits` (visit plans and visits). The profiles' services
are re-exported here, as callers have always named them (`services.profile_create`)."""

from . import orders, visits
from .profiles import (
    DEFAULT_THRESHOLDS,
    NewDevice,
    Thresholds,
    alarm_case_link,
    care_follows_residents,
    consent_record,
    consent_withdraw,
    contact_add,
    device_for_token,
    device_register,
    device_token_reset,
    device_unbind,
    devices_for_tokens,
    health_notes_set,
    profile_create,
    thresholds_set,
    token_hash,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "NewDevice",
    "Thresholds",
    "alarm_case_link",
    "care_follows_residents",
    "consent_record",
    "consent_withdraw",
    "contact_add",
    "device_for_token",
    "device_register",
    "device_token_reset",
    "device_unbind",
    "devices_for_tokens",
    "health_notes_set",
    "orders",
    "profile_create",
    "thresholds_set",
    "token_hash",
    "visits",
]
