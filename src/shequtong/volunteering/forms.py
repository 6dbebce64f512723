from __future__ import annotations

from typing import Any

from django import forms

from shequtong.registry.models import Organization
from shequtong.web.widgets import DateInput, DateTimeInput, MomentField

from .choices import ActivityKind, FeedbackGrade, HonourKind, VolunteerKind
from .models import MAX_PLACES, MAX_PRICE


class ApplyForm(forms.Form):
    kind = forms.ChoiceField(label="志愿者类别", choices=VolunteerKind.choices)
    skills = forms.CharField(
        label="服务技能", max_length=200, required=False, help_text="如：理发、维修、陪伴、法律咨询"
    )
    availability = forms.CharField(
        label="可服务时间", max_length=100, required=False, help_text="如：周末上午"
    )


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=ActivityKind.choices)
    title = forms.CharField(label="活动名称", max_length=100)
    content = forms.CharField(
        label="服务内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    place = forms.CharField(label="地点", max_length=200)
    starts_at = MomentField(label="开始时间", widget=DateTimeInput())
    ends_at = MomentField(label="结束时间", widget=DateTimeInput())
    places = forms.IntegerField(label="招募人数", min_value=1, max_value=MAX_PLACES)
    needs_selection = forms.BooleanField(label="报名需选拔", required=False)
    lon = forms.FloatField(
        label="经度", required=False, min_value=-180, max_value=180, help_text="填写后可定位签到"
    )
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)
    organization = forms.ModelChoiceField(
        label="发布组织", queryset=Organization.objects.none(), required=False, empty_label="本社区"
    )

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class GoodsForm(forms.Form):
    name = forms.CharField(label="物品", max_length=100)
    price = forms.IntegerField(label="所需爱心币", min_value=1, max_value=MAX_PRICE)
    stock = forms.IntegerField(label="入库数量", min_value=1, max_value=100_000)
    donor = forms.CharField(label="捐赠单位", max_length=100, required=False)


class ShopForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    place = forms.CharField(label="地点", max_length=200, required=False)
    opening_hours = forms.CharField(label="开放时间", max_length=100, required=False)


class DualReportForm(forms.Form):
    kind = forms.ChoiceField(
        label="报到类别", choices=[("unit", "驻区单位"), ("party_member", "在职党员")]
    )
    organization = forms.ModelChoiceField(
        label="报到单位", queryset=Organization.objects.none(), required=False
    )
    id_number = forms.CharField(
        label="党员身份证号",
        max_length=24,
        required=False,
        help_text="在职党员报到时填写，与居民档案核对",
    )
    workplace = forms.CharField(label="工作单位", max_length=100, required=False)
    commitment = forms.CharField(label="服务承诺", max_length=300, required=False)
    reported_on = forms.DateField(label="报到日期", widget=DateInput())

    def __init__(self, *args: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class FeedbackForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    grade = forms.ChoiceField(label="评价", choices=FeedbackGrade.choices)
    text = forms.CharField(label="反馈意见", max_length=500)


class NominationForm(forms.Form):
    kind = forms.ChoiceField(label="榜单", choices=HonourKind.choices)
    id_number = forms.CharField(
        label="居民身份证号", max_length=24, help_text="文明家庭填写家庭成员之一的身份证号"
    )
    title = forms.CharField(label="事由", max_length=100)
    reason = forms.CharField(
        label="事迹或情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeliberationForm(forms.Form):
    held_on = forms.DateField(label="评议日期", widget=DateInput())
    record = forms.CharField(
        label="评议记录",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="参会人员、主要意见、结论",
    )
    votes_total = forms.IntegerField(label="参会人数", min_value=1, max_value=1000)
    votes_for = forms.IntegerField(label="赞成票", min_value=0, max_value=1000)
