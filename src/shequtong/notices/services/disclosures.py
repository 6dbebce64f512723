"""三务公开: a board of one period drafted by the community, with its attachments and (for 财务)
its lines in 分; submitted to the 居务监督委员会, signed off by a member other than its author,
then published to the community's residents.

Every change to a board locks its row first, so a line added while a member signs, or two
members signing at once, settle one after the other: the second finds the board no longer
waiting (事前、事中、事后全过程监督 — what was signed is what is published)."""

from __future__ import annotations

from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from shequtong.accounts.services import person_of
from shequtong.core.audit import audit_record
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User
from shequtong.core.notify import Message, notify
from shequtong.core.policy import STAFF
from shequtong.core.scoping import can, can_in_area, grants_of
from shequtong.core.uploads import check_document
from shequtong.ledger.models import Transaction, Unit

from ..choices import Board, DisclosureStatus, FlowDirection
from ..models import Disclosure, DisclosureAttachment, FinanceItem, Supervisor
from ..periods import period_label, period_parse
from .checks import decision_text

MAX_AMOUNT = 10**12  # 100 亿元 in 分
MAX_ATTACHMENTS = 20
MAX_ITEMS = 200
MAX_BODY = 20000


def _lock(model: type[Any], pk: int) -> Any:
    no_key = connection.features.has_select_for_no_key_update
    return model.objects.select_for_update(no_key=no_key).get(pk=pk)


def _too_long(errors: dict[str, list[str]], field: str, label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors[field] = [f"{label}不能超过 {limit} 字"]


def may_sit(user: User, area: Area) -> bool:
    """A seat is for a confirmed resident of the community or a staff account working in it
    (the community or one of its grids)."""
    if not user.is_active:
        return False
    person = person_of(user)
    if person is not None and person.area_path.startswith(area.path):
        return True
    return any(g.role in STAFF and g.area_path.startswith(area.path) for g in grants_of(user))


@transaction.atomic
def supervisor_name(
    *, actor: User, area: Area, user: User, name: str, duty: str = "委员"
) -> Supervisor:
    """Seat a member of the community's 居务监督委员会 (as elected; recorded by the office)."""
    if area.level != AreaLevel.COMMUNITY:
        raise DomainError.on("area", "监委会成员须登记在社区")
    if not can_in_area(actor, "change", Supervisor, area.path):
        raise DomainError.on("area", "您无权登记该社区的监委会成员", "forbidden")
    errors: dict[str, list[str]] = {}
    name, duty = name.strip(), duty.strip() or "委员"
    if not name:
        errors["name"] = ["请填写监委会成员姓名"]
    _too_long(errors, "name", "姓名", name, 32)
    _too_long(errors, "duty", "职务", duty, 32)
    if errors:
        raise DomainError.from_fields(errors)
    if not may_sit(user, area):
        raise DomainError.on("user", f"监委会成员须为{area.name}已实名认证的居民或本社区工作人员")
    taken = DomainError.on("user", "该账号已是本社区监委会成员")
    if Supervisor.objects.filter(area=area, user=user, ended_on__isnull=True).exists():
        raise taken
    seat = Supervisor(area=area, user=user, name=name, duty=duty, named_by=actor)
    seat.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            seat.save()
    except IntegrityError:  # the same account seated twice at once
        raise taken from None
    audit_record(actor=actor, action="supervisor.name", obj=seat)
    return seat


@transaction.atomic
def supervisor_end(*, actor: User, supervisor: Supervisor) -> Supervisor:
    supervisor = _lock(Supervisor, supervisor.pk)
    if not can(actor, "change", supervisor):
        raise DomainError.on("supervisor", "您无权变更该监委会成员", "forbidden")
    if supervisor.ended_on is None:
        supervisor.ended_on = timezone.localdate()
        supervisor.save(update_fields=["ended_on", "updated_at"])
        audit_record(actor=actor, action="supervisor.end", obj=supervisor)
    return supervisor


def _exists(area: Area, board: str, period: str) -> DomainError:
    return DomainError.on(
        "period", f"{area.name}{period_label(period)}的{Board(board).label}公开已存在"
    )


def _text_errors(title: str, body: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写标题"]
    _too_long(errors, "title", "标题", title.strip(), 200)
    _too_long(errors, "body", "公开内容", body.strip(), MAX_BODY)
    return errors


@transaction.atomic
def disclosure_create(
    *, actor: User, area: Area, board: str, period: str, title: str, body: str = ""
) -> Disclosure:
    if area.level != AreaLevel.COMMUNITY:
        raise DomainError.on("area", "三务公开以社区为单位，请选择社区")
    if not can_in_area(actor, "change", Disclosure, area.path):
        raise DomainError.on("area", "您无权为该社区编制三务公开", "forbidden")
    errors = _text_errors(title, body)
    if board not in Board.values:
        errors = {"board": ["请选择公开类别：党务、居务或财务"], **errors}
    if errors:
        raise DomainError.from_fields(errors)
    stored = period_parse(period)
    if Disclosure.objects.filter(area=area, board=board, period=stored).exists():
        raise _exists(area, board, stored)
    disclosure = Disclosure(
        area=area,
        board=board,
        period=stored,
        title=title.strip(),
        body=body.strip(),
        created_by=actor,
    )
    disclosure.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            disclosure.save()
    except IntegrityError:  # the same board drafted twice at once
        raise _exists(area, board, stored) from None
    audit_record(actor=actor, action="disclosure.create", obj=disclosure)
    return disclosure


def _editable(actor: User, disclosure: Disclosure) -> Disclosure:
    locked = _lock(Disclosure, disclosure.pk)
    if not can(actor, "change", locked):
        raise DomainError.on("status", "您无权修改该公开事项", "forbidden")
    if locked.status != DisclosureStatus.DRAFT:
        raise DomainError.on("status", "已提交审核的公开事项不能修改，请先由监委会退回")
    return locked


@transaction.atomic
def disclosure_edit(*, actor: User, disclosure: Disclosure, title: str, body: str) -> Disclosure:
    """Correct a draft's title and text (a board returned by the 监委会 comes back here)."""
    disclosure = _editable(actor, disclosure)
    errors = _text_errors(title, body)
    if errors:
        raise DomainError.from_fields(errors)
    changes: dict[str, list[Any]] = {}
    if title.strip() != disclosure.title:
        changes["title"] = [disclosure.title, title.strip()]
    if body.strip() != disclosure.body:  # the text itself stays on the board, its size here
        changes["body"] = [f"{len(disclosure.body)} 字", f"{len(body.strip())} 字"]
    if changes:
        disclosure.title, disclosure.body = title.strip(), body.strip()
        disclosure.save(update_fields=["title", "body", "updated_at"])
        audit_record(actor=actor, action="disclosure.edit", obj=disclosure, changes=changes)
    return disclosure


def _short_name(name: str, limit: int = 100) -> str:
    """A file name cut to the column, keeping its extension."""
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    return stem[: limit - len(ext) - 1] + dot + ext if dot else name[:limit]


@transaction.atomic
def disclosure_attach(
    *, actor: User, disclosure: Disclosure, file: IO[bytes] | Any
) -> DisclosureAttachment:
    disclosure = _editable(actor, disclosure)
    if disclosure.attachments.count() >= MAX_ATTACHMENTS:
        raise DomainError.on("file", f"每项公开最多 {MAX_ATTACHMENTS} 个附件")
    name, size = check_document(file, field="file", word="附件")
    name = _short_name(name)
    attachment = DisclosureAttachment(
        disclosure=disclosure, name=name, size=size, area=disclosure.area
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    audit_record(
        actor=actor, action="disclosure.attach", obj=disclosure, changes={"file": [None, name]}
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: DisclosureAttachment) -> None:
    disclosure = _editable(actor, attachment.disclosure)
    name = attachment.name
    stored = attachment.file.name
    attachment.delete()
    storage = DisclosureAttachment._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(stored))
    audit_record(
        actor=actor, action="disclosure.detach", obj=disclosure, changes={"file": [name, None]}
    )


def _cited(transaction_id: int, disclosure: Disclosure, amount: int) -> Transaction:
    cited = Transaction.objects.filter(pk=transaction_id).first()
    if cited is None:
        raise DomainError.on("transaction", f"账本中没有编号为 {transaction_id} 的交易")
    if cited.unit != Unit.FEN:
        raise DomainError.on("transaction", "引用的交易须以人民币（分）记账")
    if not cited.sealed:
        raise DomainError.on("transaction", "引用的交易尚未记账完成")
    if Transaction.objects.filter(reverses=cited).exists():
        raise DomainError.on("transaction", f"交易 {transaction_id} 已冲正，不能作为公开依据")
    if disclosure.items.filter(transaction=cited).exists():
        raise DomainError.on("transaction", f"交易 {transaction_id} 已在本期明细中")
    # A line shows what the ledger booked: the amount that moved, not a figure typed beside it.
    booked = cited.postings.filter(amount__gt=0).aggregate(total=Sum("amount"))["total"] or 0
    if booked != amount:
        raise DomainError.on(
            "amount", f"金额与账本交易 {transaction_id} 的记账金额（{booked / 100:.2f} 元）不符"
        )
    return cited


@transaction.atomic
def finance_item_add(
    *,
    actor: User,
    disclosure: Disclosure,
    description: str,
    direction: str,
    amount: int,
    transaction_id: int | None = None,
) -> FinanceItem:
    """A line of a 财务 board, `amount` in 分; citing the ledger's transaction (sealed, in 分,
    not reversed, once per board) it was booked as, when it was."""
    disclosure = _editable(actor, disclosure)
    if disclosure.board != Board.FINANCE:
        raise DomainError.on("board", "只有财务公开可以添加收支明细")
    if disclosure.items.count() >= MAX_ITEMS:
        raise DomainError.on("items", f"每期财务公开最多 {MAX_ITEMS} 条明细")
    errors: dict[str, list[str]] = {}
    description = description.strip()
    if not description:
        errors["description"] = ["请填写事项"]
    _too_long(errors, "description", "事项", description, 200)
    if direction not in FlowDirection.values:
        errors["direction"] = ["请选择收入或支出"]
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        errors["amount"] = ["金额须大于 0"]
    elif amount > MAX_AMOUNT:
        errors["amount"] = ["金额不能超过 100 亿元，请核对"]
    if errors:
        raise DomainError.from_fields(errors)
    cited = _cited(transaction_id, disclosure, amount) if transaction_id is not None else None
    item = FinanceItem(
        disclosure=disclosure,
        description=description,
        direction=direction,
        amount=amount,
        transaction=cited,
        area=disclosure.area,
    )
    item.full_clean()
    item.save()
    audit_record(
        actor=actor,
        action="disclosure.item",
        obj=disclosure,
        changes={"amount": [None, amount], "direction": [None, direction]},
    )
    return item


@transaction.atomic
def finance_item_remove(*, actor: User, item: FinanceItem) -> None:
    disclosure = _editable(actor, item.disclosure)
    changes = {"amount": [item.amount, None], "direction": [item.direction, None]}
    item.delete()
    audit_record(actor=actor, action="disclosure.item_remove", obj=disclosure, changes=changes)


def _members(disclosure: Disclosure) -> list[User]:
    """The seated members who may sign this board: everyone but its author."""
    seats = Supervisor.objects.filter(area_id=disclosure.area_id, ended_on__isnull=True)
    return [
        s.user
        for s in seats.select_related("user").exclude(user_id=disclosure.created_by_id)
        if s.user.is_active
    ]


@transaction.atomic
def disclosure_submit(*, actor: User, disclosure: Disclosure) -> Disclosure:
    disclosure = _editable(actor, disclosure)
    if disclosure.board == Board.FINANCE and not disclosure.items.exists():
        raise DomainError.on("items", "财务公开至少要有一条收支明细")
    if (
        disclosure.board != Board.FINANCE
        and not disclosure.body.strip()
        and not disclosure.attachments.exists()
    ):
        raise DomainError.on("body", "请填写公开内容或上传附件")
    members = _members(disclosure)
    if not members:
        raise DomainError.on("status", "本社区还没有可以签字的监委会成员，请先登记监委会成员")
    disclosure.status = DisclosureStatus.SUBMITTED
    disclosure.submitted_at = timezone.now()
    disclosure.sign_note = ""
    disclosure.save(update_fields=["status", "submitted_at", "sign_note", "updated_at"])
    audit_record(actor=actor, action="disclosure.submit", obj=disclosure)
    notify(
        members,
        Message.plain(
            f"三务公开待您审核：{disclosure.period_label}{disclosure.get_board_display()}"[:100],
            "",
            reverse("notices:m_disclosure_sign", args=[disclosure.pk]),
        ),
    )
    return disclosure


@transaction.atomic
def disclosure_sign(
    *, actor: User, disclosure: Disclosure, approve: bool, note: str = ""
) -> Disclosure:
    """A member of the community's 居务监督委员会, not the author, signs it off or returns it
    with the reason."""
    disclosure = _lock(Disclosure, disclosure.pk)
    seat = Supervisor.objects.filter(
        user=actor, area_id=disclosure.area_id, ended_on__isnull=True
    ).first()
    if seat is None or not actor.is_active:
        raise DomainError.on("status", "只有本社区居务监督委员会成员可以签字", "forbidden")
    if disclosure.created_by_id == actor.pk:
        raise DomainError.on("status", "撰写人不能为自己编制的公开签字，请由其他监委会成员审核")
    if disclosure.status != DisclosureStatus.SUBMITTED:
        raise DomainError.on("status", "该公开事项不在待审核状态")
    note = decision_text(
        note, approve=approve, field="note", missing="退回时请填写意见", label="意见"
    )
    if approve:
        disclosure.status = DisclosureStatus.SIGNED_OFF
        disclosure.signed_by = seat
        disclosure.signed_at = timezone.now()
    else:
        disclosure.status = DisclosureStatus.DRAFT
    disclosure.sign_note = note
    disclosure.save(update_fields=["status", "signed_by", "signed_at", "sign_note", "updated_at"])
    audit_record(
        actor=actor,
        action="disclosure.sign" if approve else "disclosure.return",
        obj=disclosure,
        changes={"note": [None, note]} if note else None,
    )
    if disclosure.created_by is not None:
        verdict = "监委会已签字，可以公开" if approve else "被监委会退回，请查看意见"
        notify(
            [disclosure.created_by],
            Message.plain(
                f"{disclosure.period_label}{disclosure.get_board_display()}公开{verdict}"[:100],
                "",
                disclosure.get_absolute_url(),
            ),
        )
    return disclosure


@transaction.atomic
def disclosure_publish(*, actor: User, disclosure: Disclosure) -> Disclosure:
    disclosure = _lock(Disclosure, disclosure.pk)
    if not can(actor, "change", disclosure):
        raise DomainError.on("status", "您无权发布该公开事项", "forbidden")
    if disclosure.status == DisclosureStatus.PUBLISHED:
        raise DomainError.on("status", "该公开事项已经公开")
    if disclosure.status != DisclosureStatus.SIGNED_OFF:
        raise DomainError.on("status", "须经居务监督委员会签字后才能公开")
    disclosure.status = DisclosureStatus.PUBLISHED
    disclosure.published_at = timezone.now()
    disclosure.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="disclosure.publish", obj=disclosure)
    return disclosure
