"""三务公开: a board of one period drafted by the community, with its attachments and (for 财务)
its lines in 分; submitted to the 居务监督委员会, signed off by a member other than its author,
then published to the community's residents."""

from __future__ import annotations

from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User
from shequtong.core.scoping import can, can_in_area
from shequtong.core.uploads import check_document
from shequtong.ledger.models import Transaction, Unit

from ..choices import Board, DisclosureStatus, FlowDirection
from ..models import Disclosure, DisclosureAttachment, FinanceItem, Supervisor
from ..periods import period_label, period_parse

MAX_AMOUNT = 10**12  # 100 亿元 in 分


@transaction.atomic
def supervisor_name(
    *, actor: User, area: Area, user: User, name: str, duty: str = "委员"
) -> Supervisor:
    """Seat a member of the community's 居务监督委员会 (as elected; recorded by the office)."""
    if area.level != AreaLevel.COMMUNITY:
        raise DomainError.on("area", "监委会成员须登记在社区")
    if not can_in_area(actor, "change", Supervisor, area.path):
        raise DomainError.on("area", "您无权登记该社区的监委会成员", "forbidden")
    if not name.strip():
        raise DomainError.on("name", "请填写监委会成员姓名")
    if Supervisor.objects.filter(area=area, user=user, ended_on__isnull=True).exists():
        raise DomainError.on("user", "该账号已是本社区监委会成员")
    seat = Supervisor(
        area=area,
        user=user,
        name=name.strip()[:32],
        duty=duty.strip()[:32] or "委员",
        named_by=actor,
    )
    seat.full_clean()
    seat.save()
    audit_record(actor=actor, action="supervisor.name", obj=seat)
    return seat


@transaction.atomic
def supervisor_end(*, actor: User, supervisor: Supervisor) -> Supervisor:
    if not can(actor, "change", supervisor):
        raise DomainError.on("supervisor", "您无权变更该监委会成员", "forbidden")
    if supervisor.ended_on is None:
        supervisor.ended_on = timezone.localdate()
        supervisor.save(update_fields=["ended_on", "updated_at"])
        audit_record(actor=actor, action="supervisor.end", obj=supervisor)
    return supervisor


@transaction.atomic
def disclosure_create(
    *, actor: User, area: Area, board: str, period: str, title: str, body: str = ""
) -> Disclosure:
    if area.level != AreaLevel.COMMUNITY:
        raise DomainError.on("area", "三务公开以社区为单位，请选择社区")
    if not can_in_area(actor, "change", Disclosure, area.path):
        raise DomainError.on("area", "您无权为该社区编制三务公开", "forbidden")
    errors: dict[str, list[str]] = {}
    if board not in Board.values:
        errors["board"] = ["请选择公开类别：党务、居务或财务"]
    if not title.strip():
        errors["title"] = ["请填写标题"]
    if len(body) > 20000:
        errors["body"] = ["公开内容不能超过 20000 字"]
    if errors:
        raise DomainError.from_fields(errors)
    stored = period_parse(period)
    if Disclosure.objects.filter(area=area, board=board, period=stored).exists():
        label = Board(board).label
        raise DomainError.on("period", f"{area.name}{period_label(stored)}的{label}公开已存在")
    disclosure = Disclosure(
        area=area,
        board=board,
        period=stored,
        title=title.strip()[:200],
        body=body.strip(),
        created_by=actor,
    )
    disclosure.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            disclosure.save()
    except IntegrityError:  # the same board drafted twice at once
        label = Board(board).label
        raise DomainError.on(
            "period", f"{area.name}{period_label(stored)}的{label}公开已存在"
        ) from None
    audit_record(actor=actor, action="disclosure.create", obj=disclosure)
    return disclosure


def _editable(actor: User, disclosure: Disclosure) -> Disclosure:
    locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    if not can(actor, "change", locked):
        raise DomainError.on("status", "您无权修改该公开事项", "forbidden")
    if locked.status != DisclosureStatus.DRAFT:
        raise DomainError.on("status", "已提交审核的公开事项不能修改，请先由监委会退回")
    return locked


@transaction.atomic
def disclosure_attach(
    *, actor: User, disclosure: Disclosure, file: IO[bytes] | Any
) -> DisclosureAttachment:
    disclosure = _editable(actor, disclosure)
    name, size = check_document(file, field="file", word="附件")
    attachment = DisclosureAttachment(
        disclosure=disclosure, name=name[:100], size=size, area=disclosure.area
    )
    attachment.file.save(name, file, save=False)
    attachment.save()
    audit_record(
        actor=actor, action="disclosure.attach", obj=disclosure, changes={"file": [None, name]}
    )
    return attachment


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
    """A line of a 财务 board, `amount` in 分; citing the ledger's transaction (sealed, in 分)
    it was booked as, when it was."""
    disclosure = _editable(actor, disclosure)
    if disclosure.board != Board.FINANCE:
        raise DomainError.on("board", "只有财务公开可以添加收支明细")
    errors: dict[str, list[str]] = {}
    if not description.strip():
        errors["description"] = ["请填写事项"]
    if direction not in FlowDirection.values:
        errors["direction"] = ["请选择收入或支出"]
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        errors["amount"] = ["金额须大于 0"]
    elif amount > MAX_AMOUNT:
        errors["amount"] = ["金额过大，请核对"]
    if errors:
        raise DomainError.from_fields(errors)
    cited = None
    if transaction_id is not None:
        cited = Transaction.objects.filter(pk=transaction_id).first()
        if cited is None:
            raise DomainError.on("transaction", f"账本中没有编号为 {transaction_id} 的交易")
        if cited.unit != Unit.FEN:
            raise DomainError.on("transaction", "引用的交易须以人民币（分）记账")
        if not cited.sealed:
            raise DomainError.on("transaction", "引用的交易尚未记账完成")
    item = FinanceItem(
        disclosure=disclosure,
        description=description.strip()[:200],
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
    disclosure.status = DisclosureStatus.SUBMITTED
    disclosure.submitted_at = timezone.now()
    disclosure.sign_note = ""
    disclosure.save(update_fields=["status", "submitted_at", "sign_note", "updated_at"])
    audit_record(actor=actor, action="disclosure.submit", obj=disclosure)
    return disclosure


@transaction.atomic
def disclosure_sign(
    *, actor: User, disclosure: Disclosure, approve: bool, note: str = ""
) -> Disclosure:
    """A member of the community's 居务监督委员会, not the author, signs it off or returns it
    with the reason."""
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    seat = Supervisor.objects.filter(
        user=actor, area_id=disclosure.area_id, ended_on__isnull=True
    ).first()
    if seat is None:
        raise DomainError.on("status", "只有本社区居务监督委员会成员可以签字", "forbidden")
    if disclosure.created_by_id == actor.pk:
        raise DomainError.on("status", "撰写人不能为自己编制的公开签字，请由其他监委会成员审核")
    if disclosure.status != DisclosureStatus.SUBMITTED:
        raise DomainError.on("status", "该公开事项不在待审核状态")
    note = note.strip()
    if not approve and not note:
        raise DomainError.on("note", "退回时请填写意见")
    if len(note) > 200:
        raise DomainError.on("note", "意见不能超过 200 字")
    if approve:
        disclosure.status = DisclosureStatus.SIGNED_OFF
        disclosure.signed_by = seat
        disclosure.signed_at = timezone.now()
    else:
        disclosure.status = DisclosureStatus.DRAFT
    disclosure.sign_note = note
    disclosure.save()
    audit_record(
        actor=actor,
        action="disclosure.sign" if approve else "disclosure.return",
        obj=disclosure,
        changes={"note": [None, note]} if note else None,
    )
    return disclosure


@transaction.atomic
def disclosure_publish(*, actor: User, disclosure: Disclosure) -> Disclosure:
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    if not can(actor, "change", disclosure):
        raise DomainError.on("status", "您无权发布该公开事项", "forbidden")
    if disclosure.status != DisclosureStatus.SIGNED_OFF:
        raise DomainError.on("status", "须经居务监督委员会签字后才能公开")
    disclosure.status = DisclosureStatus.PUBLISHED
    disclosure.published_at = timezone.now()
    disclosure.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="disclosure.publish", obj=disclosure)
    return disclosure
