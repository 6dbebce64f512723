"""Demo covenant of 杨家坪社区, carried out through the services as staff would: the first
version of its 居民公约 consulted, answered, adopted by a 居民代表会议 recorded as passed,
published and filed; the second version now under consultation, with resident_01's comment on
a clause and the community's answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from shequtong.accounts.services import person_of
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, RoleGrant, User
from shequtong.deliberation.services import (
    meeting_create,
    meeting_record,
    procedure_for,
    topic_accept,
    topic_propose,
)

from .models import Covenant, CovenantVersion
from .services import (
    comment_add,
    comment_answer,
    covenant_create,
    version_adopt,
    version_consult,
    version_draft,
    version_edit,
    version_file,
    version_publish,
    version_submit,
)

FIRST = """第一条 为建设和谐、文明、平安的社区，依据《城市居民委员会组织法》，制定本公约。
第二条 爱党爱国，遵纪守法，自觉维护社区安定团结。
第三条 爱护公共设施，不乱贴乱画，不在楼道堆放杂物。
第四条 垃圾分类投放，不高空抛物，文明饲养宠物。
第五条 邻里互助，尊老爱幼，积极参加志愿服务。
第六条 电动车不进楼入户，不私拉电线充电。
第七条 本公约由社区居民委员会负责解释，自公布之日起施行。"""

SECOND = FIRST.replace(
    "第六条 电动车不进楼入户，不私拉电线充电。",
    "第六条 电动车不进楼入户，不飞线充电，到小区集中充电点充电。\n"
    "第七条 遇到矛盾纠纷，先找网格员和调解委员会调解。",
).replace("第七条 本公约由", "第八条 本公约由")


def _close_consultation(version: CovenantVersion) -> None:
    """The demo's consultation ran its course: its last day is yesterday."""
    yesterday = timezone.localdate() - timedelta(days=1)
    CovenantVersion.objects.filter(pk=version.pk).update(consult_until=yesterday)


def passed_meeting(
    staff: User, community: Area, title: str = "居民代表会议（审议居民公约）"
) -> Any:
    """A 居民代表会议 of the community, held through deliberation's services and recorded as
    passed (26 of 30 representatives present, 24 agreeing)."""
    topic = topic_propose(
        actor=staff,
        title="修订社区居民公约",
        description="居民公约草案征求意见已结束，提请居民代表会议讨论通过。",
        source="committees",
        level="community",
        area=community,
    )
    topic = topic_accept(
        actor=staff, topic=topic, procedure=procedure_for(community=community, key="one_matter")
    )
    meeting = meeting_create(
        actor=staff,
        topic=topic,
        kind="representatives",
        title=title,
        starts_at=timezone.now(),
        place="杨家坪社区党群服务中心",
        due=30,
    )
    return meeting_record(
        actor=staff,
        meeting=meeting,
        minutes="与会代表逐条讨论居民公约草案。",
        resolution="通过《杨家坪社区居民公约》。",
        present=26,
        agree=24,
        disagree=1,
        abstain=1,
    )


def seed_covenants(district: Area, scale: int) -> None:
    community = Area.objects.filter(
        path__startswith=district.path, level=AreaLevel.COMMUNITY, name="杨家坪社区"
    ).first()
    grant = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF, area=community).first()
    if grant is None or community is None or Covenant.objects.filter(area=community).exists():
        return
    staff = grant.user
    covenant = covenant_create(
        actor=staff, kind="residents", title="杨家坪社区居民公约", area=community
    )
    first = version_draft(actor=staff, covenant=covenant, blank=True)
    version_edit(actor=staff, version=first, text=FIRST, note="首次制定")
    version_consult(actor=staff, version=first, until=timezone.localdate() + timedelta(days=1))
    _close_consultation(first)
    version_submit(actor=staff, version=first)
    version_adopt(actor=staff, version=first, meeting=passed_meeting(staff, community))
    version_publish(actor=staff, version=first)
    office = f"{community.parent.name}办事处" if community.parent else "街道办事处"
    version_file(actor=staff, version=first, filed_on=timezone.localdate(), filed_with=office)
    second = version_draft(actor=staff, covenant=covenant)
    version_edit(actor=staff, version=second, text=SECOND, note="增加集中充电和矛盾调解条款")
    version_consult(
        actor=staff, version=second, until=timezone.localdate() + timedelta(days=14), publicity=True
    )
    resident = User.objects.filter(username="resident_01").first()
    if resident is None or person_of(resident) is None:
        return
    if not person_of(resident).area_path.startswith(community.path):  # type: ignore[union-attr]
        return
    comment = comment_add(
        actor=resident,
        version=second,
        clause=6,
        text="建议写明集中充电点的开放时间，晚上也能充电。",
    )
    comment_answer(
        actor=staff,
        comment=comment,
        disposition="partly",
        answer="集中充电点 24 小时开放，开放时间将在充电点公示；公约只写原则，不写具体时间。",
    )
