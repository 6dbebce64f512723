from __future__ import annotations

from typing import Any

from django import forms

from shequtong.core.models import Area, User
from shequtong.registry.models import Building, Estate, Organization, PersonTag
from shequtong.web.widgets import DateTimeInput, MomentField

from .choices import Audience, Board, FlowDirection


def _choices(field: forms.ModelChoiceField, rows: Any) -> None:
    field.queryset = rows
    field.error_messages["invalid_choice"] = f"所选{field.label}不存在或不在您的范围内"


class NoticeForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文", max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))
    audience = forms.ChoiceField(label="通知对象", choices=Audience.choices)
    area = forms.ModelChoiceField(
        label="社区或网格",
        queryset=Area.objects.none(),
        required=False,
        help_text="对象为全社区、网格或人群标签时选择",
    )
    estate = forms.ModelChoiceField(label="小区", queryset=Estate.objects.none(), required=False)
    building = forms.ModelChoiceField(
        label="楼栋", queryset=Building.objects.none(), required=False
    )
    tag = forms.ModelChoiceField(
        label="人群标签", queryset=PersonTag.objects.none(), required=False
    )
    organization = forms.ModelChoiceField(
        label="发布组织", queryset=Organization.objects.none(), required=False
    )
    pinned = forms.BooleanField(label="置顶", required=False)
    expires_at = MomentField(
        label="有效期至", required=False, widget=DateTimeInput(), help_text="留空为长期有效"
    )

    def __init__(
        self,
        *args: Any,
        areas: Any,
        estates: Any,
        buildings: Any,
        organizations: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["area"], areas)
        _choices(self.fields["estate"], estates)
        _choices(self.fields["building"], buildings)
        _choices(self.fields["tag"], PersonTag.objects.filter(sensitive=False))
        _choices(self.fields["organization"], organizations)
        self.fields["building"].label_from_instance = lambda b: f"{b.estate.name}{b.number}"
        if not organizations.exists():
            del self.fields["organization"]
        for name in ("title", "body"):
            self.fields[name].error_messages["required"] = f"请填写{self.fields[name].label}"
        self.fields["expires_at"].error_messages["invalid"] = (
            "有效期格式不对，应如 2026-12-31 18:00"
        )


class RejectForm(forms.Form):
    reason = forms.CharField(label="未通过原因", max_length=200, required=False)


class PublicityForm(forms.Form):
    area = forms.ModelChoiceField(label="公示范围", queryset=Area.objects.none())
    title = forms.CharField(label="公示标题", max_length=200)
    body = forms.CharField(
        label="公示内容", max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    days = forms.IntegerField(label="公示天数", min_value=1, max_value=90, initial=7)

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["area"], areas)
        self.fields["days"].error_messages.update(
            {
                "invalid": "公示天数应为整数",
                "min_value": "公示天数至少 1 天",
                "max_value": "公示天数不能超过 90 天",
                "required": "请填写公示天数",
            }
        )
        for name in ("title", "body"):
            self.fields[name].error_messages["required"] = f"请填写{self.fields[name].label}"


class DisclosureForm(forms.Form):
    area = forms.ModelChoiceField(label="社区", queryset=Area.objects.none())
    board = forms.ChoiceField(label="公开类别", choices=Board.choices)
    period = forms.CharField(
        label="公开期间", max_length=20, help_text="如 2026年第4季度 或 2026年12月"
    )
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(
        label="公开内容", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["area"], areas)
        self.fields["board"].error_messages["invalid_choice"] = "请选择公开类别：党务、居务或财务"
        _limits(self, "area", "board", "period", "title", "body")


class DisclosureEditForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(
        label="公开内容", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limits(self, "title", "body")


class FinanceItemForm(forms.Form):
    description = forms.CharField(label="事项", max_length=200)
    direction = forms.ChoiceField(label="收支", choices=FlowDirection.choices)
    amount = forms.CharField(label="金额（元）", max_length=20, help_text="如 1280.50")
    transaction = forms.CharField(
        label="账本交易编号", max_length=20, required=False, help_text="已在账本记账的，填交易编号"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["direction"].error_messages["invalid_choice"] = "请选择收入或支出"
        _limits(self, "description", "direction", "amount", "transaction")


class SignForm(forms.Form):
    note = forms.CharField(
        label="监委会意见",
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="退回时必填",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limits(self, "note")


DUTIES = [("主任", "主任"), ("副主任", "副主任"), ("委员", "委员")]


class SupervisorForm(forms.Form):
    user = forms.ModelChoiceField(label="成员账号", queryset=User.objects.none())
    duty = forms.ChoiceField(label="职务", choices=DUTIES, initial="委员")

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["user"], candidates)
        self.fields["user"].label_from_instance = seat_label
        self.fields["duty"].error_messages["invalid_choice"] = "请选择职务：主任、副主任或委员"
        _limits(self, "user", "duty")


def seat_name(user: User) -> str:
    """The name a seat is recorded under: the registry's for a resident, else the account's."""
    claim = getattr(user, "resident_claim", None)
    if claim is not None and claim.person_id:
        return claim.person.name
    return user.display_name or user.username


def seat_label(user: User) -> str:
    claim = getattr(user, "resident_claim", None)
    if claim is not None and claim.person_id:
        return f"{claim.person.name}（居民）"
    return f"{user.display_name or user.username}（工作人员）"


def _limits(form: forms.Form, *names: str) -> None:
    """Every field's own refusals in Chinese, naming it: required, too long."""
    for name in names:
        field = form.fields[name]
        field.error_messages["required"] = (
            f"请选择{field.label}"
            if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField))
            else f"请填写{field.label}"
        )
        if getattr(field, "max_length", None):
            field.error_messages["max_length"] = f"{field.label}不能超过 {field.max_length} 字"
