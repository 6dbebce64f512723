"""Console forms: Chinese labels and messages, validation delegated to services where it lives."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from shequtong.core.audit_labels import action_choices
from shequtong.core.choices import AreaLevel

from .widgets import DateInput


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续输错多次后账号将被暂时锁定。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for field in self.fields.values():
            field.error_messages["required"] = "请填写此项"


class TotpForm(forms.Form):
    token = forms.RegexField(
        label="动态验证码",
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": "请输入认证器应用中的 6 位数字", "required": "请填写验证码"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class AreaFilterForm(forms.Form):
    level = forms.ChoiceField(
        label="层级", required=False, choices=[("", "全部层级"), *AreaLevel.choices]
    )
    q = forms.CharField(label="名称或代码", required=False, max_length=64)


class StaffFilterForm(forms.Form):
    q = forms.CharField(label="姓名或用户名", required=False, max_length=64)


class DateRangeForm(forms.Form):
    """起始日期 and 截止日期, both optional, the second not before the first."""

    since = forms.DateField(label="起始日期", required=False, widget=DateInput())
    until = forms.DateField(label="截止日期", required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "截止日期不能早于起始日期")
        return data


class AuditFilterForm(DateRangeForm):
    """动作 from a list (查看身份证号 is one of them), who acted, whom or what it touched, when."""

    action = forms.ChoiceField(label="动作", required=False)
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    q = forms.CharField(
        label="涉及对象",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "姓名、楼栋、事件编号…"}),
    )
    field_order = ["action", "actor", "q", "since", "until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = action_choices()


class CalendarOverrideForm(forms.Form):
    day = forms.DateField(label="日期", widget=DateInput())
    is_working = forms.TypedChoiceField(
        label="调整为",
        choices=[("0", "休息日"), ("1", "工作日")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="依据", max_length=128, help_text="如：区政府通知（2026）12 号")


class HolidayNoticeForm(forms.Form):
    """A year's 放假安排 as the State Council's notice reads (core.calendar_import)."""

    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)
    source = forms.CharField(
        label="通知文号", max_length=128, help_text="如：国办发明电〔2026〕7 号"
    )
    text = forms.CharField(
        label="放假和调休安排",
        max_length=5000,
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "2027-01-01 休 元旦\n2027-02-05~2027-02-12 休 春节"}
        ),
        help_text="每行一段：日期或“起~止”、休或班、说明",
    )


class DeadlineForm(forms.Form):
    """The working-day calculator staff use to answer "when is this due?"."""

    start = forms.DateField(label="起算日", widget=DateInput())
    days = forms.IntegerField(label="工作日数", min_value=0, max_value=365)


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=64, help_text="如：12345 工单对接")
    valid_days = forms.TypedChoiceField(
        label="有效期",
        choices=[("30", "30 天"), ("90", "90 天"), ("365", "一年"), ("0", "不过期")],
        coerce=int,
        initial="90",
    )

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data["valid_days"]
        return timezone.now() + timedelta(days=days) if days else None
