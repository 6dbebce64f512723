"""Forms of case pages: they read and check the request; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms

from shequtong.core.geo import CoordSystem
from shequtong.core.models import Department, User
from shequtong.web.widgets import DateInput

from . import selectors
from .choices import CaseSource, CaseStatus, DeadlineState, HandlerLevel, HazardGrade, Rating
from .models import Category


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; each is checked by `photos.clean_photo` in the service."""

    widget = MultiplePhotoInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    """随手拍 on the resident portal, and a patrol or call entered by staff."""

    category = forms.TypedChoiceField(label="问题类别", coerce=int)
    description = forms.CharField(
        label="问题描述",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "发生了什么？在哪个位置？"}),
    )
    photos = PhotosField(label="照片（最多 9 张）")
    address = forms.CharField(
        label="地址",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：杨家坪小区 5 栋 2 单元门口"}),
    )
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    coord_system = forms.ChoiceField(
        choices=CoordSystem.choices, initial=CoordSystem.WGS84, widget=forms.HiddenInput
    )
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    join = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read per form, not at import: the tree is configuration that changes at run time.
        self.fields["category"].choices = [("", "请选择问题类别"), *selectors.leaf_choices()]

    def clean_category(self) -> Category:
        pk = self.cleaned_data["category"]
        category = Category.objects.filter(pk=pk, active=True).first()
        if category is None:
            raise forms.ValidationError("请选择问题类别")
        return category


class StaffReportForm(ReportForm):
    source = forms.ChoiceField(
        label="来源",
        choices=[
            (CaseSource.PATROL, CaseSource.PATROL.label),
            (CaseSource.VISIT, CaseSource.VISIT.label),
            (CaseSource.CALL, CaseSource.CALL.label),
        ],
    )
    reporter_name = forms.CharField(label="反映人", max_length=64, required=False)
    reporter_phone = forms.CharField(label="反映人电话", max_length=20, required=False)


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label="关键词",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "编号、描述或地址", "type": "search"}),
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), ("open", "未办结"), *CaseStatus.choices],
    )
    deadline = forms.ChoiceField(
        label="时限", required=False, choices=[("", "全部"), *DeadlineState.choices]
    )
    source = forms.ChoiceField(
        label="来源", required=False, choices=[("", "全部"), *CaseSource.choices]
    )
    category = forms.ModelChoiceField(
        label="类别",
        required=False,
        queryset=Category.objects.filter(parent__isnull=True),
        empty_label="全部",
    )
    mine = forms.BooleanField(label="我的待办", required=False)


class ActionForm(forms.Form):
    """Every move posts here; the fields a move does not use are ignored."""

    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label="照片")
    level = forms.ChoiceField(
        label="派遣到",
        required=False,
        choices=[(HandlerLevel.GRID, "网格"), (HandlerLevel.COMMUNITY, "社区")],
    )
    assignee = forms.ModelChoiceField(
        label="处置人", required=False, queryset=User.objects.filter(is_active=True)
    )
    lead = forms.ModelChoiceField(
        label="主办部门", required=False, queryset=Department.objects.all()
    )
    co = forms.ModelMultipleChoiceField(
        label="协办部门", required=False, queryset=Department.objects.all()
    )
    resume_on = forms.DateField(label="恢复日期", required=False, widget=DateInput())


class SummonsAnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("1", "报到"), ("0", "提出异议")], coerce=lambda v: v == "1"
    )
    reason = forms.CharField(label="异议理由", required=False, max_length=500)


class ObjectionReviewForm(forms.Form):
    uphold = forms.TypedChoiceField(
        choices=[("1", "异议成立"), ("0", "驳回异议")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="审核意见", max_length=500)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label="评价", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="意见", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label="延长工作日", min_value=1, max_value=30)
    reason = forms.CharField(label="理由", max_length=500)


class HazardForm(forms.Form):
    grade = forms.ChoiceField(label="隐患等级", choices=HazardGrade.choices)
    responsible_unit = forms.CharField(label="责任单位", max_length=100, required=False)
    measures = forms.CharField(
        label="整改措施", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rectify_by = forms.DateField(label="整改期限", required=False, widget=DateInput())

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        if instance is not None and not args:
            kwargs.setdefault(
                "initial",
                {
                    "grade": instance.grade,
                    "responsible_unit": instance.responsible_unit,
                    "measures": instance.measures,
                    "rectify_by": instance.rectify_by,
                },
            )
        super().__init__(*args, **kwargs)


class MediationForm(forms.Form):
    held_on = forms.DateField(label="调解日期", widget=DateInput())
    place = forms.CharField(label="地点", max_length=100, required=False)
    mediators = forms.CharField(label="调解员", max_length=100)
    content = forms.CharField(label="调解情况", widget=forms.Textarea(attrs={"rows": 2}))
