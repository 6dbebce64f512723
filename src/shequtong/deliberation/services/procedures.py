"""A community's procedures: the shipped templates copied on first use, adapted into new
versions. A version a topic runs on is never changed; the topic copied its steps anyway."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction

from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User
from shequtong.core.scoping import can, can_in_area

from ..models import Procedure
from ..procedures import SHIPPED, clean_steps


def procedure_for(*, community: Area, key: str) -> Procedure:
    """The community's current version of a template, copied from the shipped one the first
    time (two requests at once copy it once: the second finds the first's row)."""
    found = Procedure.objects.filter(area=community, lineage=key, current=True).first()
    if found:
        return found
    if key not in SHIPPED:
        raise DomainError.on("procedure", "未知的议事规程")
    name, steps = SHIPPED[key]
    try:
        with transaction.atomic():
            return Procedure.objects.create(
                area=community, key=key, lineage=key, name=name, steps=list(steps)
            )
    except IntegrityError:
        return Procedure.objects.get(area=community, lineage=key, current=True)


def procedures_of(community: Area) -> list[Procedure]:
    """Every current procedure of the community: the shipped ones and its own."""
    for key in SHIPPED:
        procedure_for(community=community, key=key)
    return list(Procedure.objects.filter(area=community, current=True).order_by("pk"))


@transaction.atomic
def procedure_adapt(
    *, actor: User, procedure: Procedure, name: str, steps: list[dict[str, Any]]
) -> Procedure:
    """The next version of `procedure` with these steps; topics under way keep theirs."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if not can(actor, "change", procedure):
        raise DomainError.on("procedure", "您无权修订该议事规程", "forbidden")
    if not procedure.current:
        raise DomainError.on("procedure", "该版本已被修订，请在现行版本上修改")
    cleaned = clean_steps(steps)
    Procedure.objects.filter(pk=procedure.pk).update(current=False)
    adapted = Procedure.objects.create(
        area=procedure.area,
        key=procedure.key,
        lineage=procedure.lineage,
        name=name.strip()[:80] or procedure.name,
        version=procedure.version + 1,
        steps=cleaned,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="procedure.adapt",
        obj=adapted,
        changes={"version": [procedure.version, adapted.version]},
    )
    return adapted


@transaction.atomic
def procedure_copy(*, actor: User, procedure: Procedure, name: str) -> Procedure:
    """A new procedure of the community's own, starting from `procedure`'s steps."""
    if not can_in_area(actor, "change", Procedure, procedure.area_path):
        raise DomainError.on("procedure", "您无权新建议事规程", "forbidden")
    if not name.strip():
        raise DomainError.on("name", "请填写规程名称")
    copy = Procedure.objects.create(
        area=procedure.area,
        key=procedure.key,
        lineage=f"own-{secrets.token_hex(6)}",
        name=name.strip()[:80],
        steps=procedure.steps,
        created_by=actor,
    )
    audit_record(actor=actor, action="procedure.copy", obj=copy)
    return copy
