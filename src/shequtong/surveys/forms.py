from __future__ import annotations

from typing import Any

from django import forms

from shequtong.core.models import Area
from shequtong.registry.models import Building, Estate
from shequtong.web.widgets import DateTimeInput, MomentField

from .choices import QuestionKind, VisitOutcome
from .services import LIMITS


def _choices(field: forms.ModelChoiceField, rows: Any) -> None:
    field.queryset = rows
    field.error_messages["invalid_choice"] = f"所选{field.label}不存在或不在您的范围内"


class SurveyEditForm(forms.Form):
    title = forms.CharField(label="问卷标题", max_length=LIMITS.title_chars)
    intro = forms.CharField(
        label="说明",
        max_length=LIMITS.intro_chars,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    opens_at = MomentField(label="开始时间", widget=DateTimeInput())
    closes_at = MomentField(label="截止时间", widget=DateTimeInput())


class SurveyForm(SurveyEditForm):
    """A new survey and its place: a building, else an estate, else a community or grid."""

    area = forms.ModelChoiceField(
        label="社区或网格",
        queryset=Area.objects.none(),
        required=False,
        help_text="调查全社区或一个网格的住户时选择",
    )
    estate = forms.ModelChoiceField(label="小区", queryset=Estate.objects.none(), required=False)
    building = forms.ModelChoiceField(
        label="楼栋", queryset=Building.objects.none(), required=False
    )

    def __init__(self, *args: Any, areas: Any, estates: Any, buildings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["area"], areas)
        _choices(self.fields["estate"], estates)
        _choices(self.fields["building"], buildings)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="题型", choices=QuestionKind.choices)
    text = forms.CharField(label="题目", max_length=LIMITS.question_chars)
    options = forms.CharField(
        label="选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"每行一个选项，最多 {LIMITS.options} 个，"
            f"每个不超过 {LIMITS.option_chars} 字；填空题不填"
        ),
    )
    required = forms.BooleanField(label="必答", required=False, initial=True)
    max_choices = forms.IntegerField(
        label="最多选几项",
        required=False,
        min_value=1,
        max_value=LIMITS.options,
        help_text="多选题填写；留空为不限",
    )

    def clean_options(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class ConsentForm(forms.Form):
    question = forms.IntegerField(label="同意率计算题", required=False)
    option = forms.CharField(label="计为同意的选项", max_length=LIMITS.option_chars, required=False)


class VisitForm(forms.Form):
    outcome = forms.ChoiceField(label="走访结果", choices=VisitOutcome.choices)
    note = forms.CharField(label="备注", max_length=LIMITS.note_chars, required=False)
