"""Input and output schemas of the cases API. The reporter's phone leaves masked only."""

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from shequtong.core.vault import mask_phone

from .choices import CaseSource, CaseStatus, DeadlineState, HandlerLevel, Rating


class AttributeOut(Schema):
    code: str
    description: str
    datatype: str
    required: bool
    values: list[dict[str, Any]]


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    group: str = Field(..., alias="parent.name")
    kind: str
    handler_level: HandlerLevel
    priority: int
    deadline_days: int
    attributes: list[AttributeOut]

    @staticmethod
    def resolve_attributes(obj: Any) -> list[Any]:
        return list(obj.attributes.all())


class CaseIn(Schema):
    category: str | None = Field(
        None,
        description="小类编码（Open311 service_code），如 hazard-fire-escape；"
        "不填时按描述自动分类（把握不足时返回 400 并列出建议）",
    )
    description: str = Field(..., max_length=2000)
    lon: float | None = None
    lat: float | None = None
    coord_system: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    address: str = Field("", max_length=200)
    area_id: int | None = Field(None, description="无坐标和地址时，事件所在区域（须在授权范围内）")
    source: Literal["patrol", "visit", "call", "api"] = "api"
    reporter_name: str = Field("", max_length=64)
    reporter_phone: str = Field("", max_length=20)
    external_id: str = Field("", max_length=64, description="外部工单号，同一来源内唯一")
    attributes: dict[str, Any] = Field(default_factory=dict)


class CaseFilter(Schema):
    q: str | None = Field(None, description="编号、描述或地址")
    status: CaseStatus | Literal["open"] | None = None
    deadline: DeadlineState | None = None
    source: CaseSource | None = None
    category: str | None = Field(None, description="类别编码（大类含其小类）")
    area_id: int | None = None
    mine: bool = Field(False, description="只看我可以推进的待办")


class CaseOut(Schema):
    id: int
    number: str
    category: str = Field(..., alias="category.code")
    category_name: str = Field(..., alias="category.name")
    source: CaseSource
    status: CaseStatus
    priority: int
    description: str
    address: str
    lon: float | None
    lat: float | None
    area_id: int
    area_name: str = Field(..., alias="area.name")
    handler_level: HandlerLevel
    assignee_id: int | None
    department_id: int | None
    due_at: datetime | None
    deadline_state: DeadlineState
    supervision_count: int
    created_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    rating: Rating | Literal[""]
    reporter_name: str
    reporter_phone_masked: str
    attributes: dict[str, Any]

    @staticmethod
    def resolve_reporter_phone_masked(obj: Any) -> str:
        return mask_phone(obj.reporter_phone) if obj.reporter_phone else ""


class StepOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    actor_label: str
    note: str
    created_at: datetime


class SummonsOut(Schema):
    id: int
    department_id: int
    department_name: str = Field(..., alias="department.name")
    role: str
    status: str
    respond_by: datetime
    responded_at: datetime | None
    reason: str


class TransitionOut(Schema):
    name: str
    label: str
    needs_note: bool


class NearbyOut(Schema):
    id: int = Field(..., alias="case.pk")
    number: str = Field(..., alias="case.number")
    status: CaseStatus = Field(..., alias="case.status")
    metres: float


class CaseCreatedOut(CaseOut):
    """What intake answers: the case as filed, and the open cases it may duplicate."""

    possible_duplicates: list[NearbyOut]

    @staticmethod
    def resolve_possible_duplicates(obj: Any) -> list[Any]:
        return obj.nearby


class CaseDetailOut(CaseOut):
    """A case read through `selectors.case_file`, which the handler hangs on it as `file`."""

    steps: list[StepOut]
    summonses: list[SummonsOut]
    actions: list[TransitionOut]
    possible_duplicates: list[NearbyOut] = Field(
        default_factory=list, description="附近同类未办结事件（可合并）"
    )

    @staticmethod
    def resolve_possible_duplicates(obj: Any) -> list[Any]:
        return obj.file.nearby

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return obj.file.steps

    @staticmethod
    def resolve_summonses(obj: Any) -> list[Any]:
        return obj.file.summonses

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return obj.file.transitions


class ActionIn(Schema):
    action: str = Field(..., description="assign, start, return, whistle, summon, resolve, …")
    note: str = Field("", max_length=2000)
    level: Literal["grid", "community", ""] = ""
    assignee_id: int | None = None
    lead_department_id: int | None = None
    co_department_ids: list[int] = Field(default_factory=list)
    resume_on: date | None = None


class MergeIn(Schema):
    into_id: int = Field(..., description="并入的事件")


class AnswerIn(Schema):
    accept: bool
    reason: str = Field("", max_length=500)


class ReviewIn(Schema):
    uphold: bool
    note: str = Field(..., max_length=500)


class RatingIn(Schema):
    rating: Rating
    comment: str = Field("", max_length=500)
