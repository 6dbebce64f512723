from __future__ import annotations

from typing import Any

from django import forms

from shequtong.core.models import Area
from shequtong.registry.models import Estate
from shequtong.web.widgets import DateInput

from .choices import CovenantKind, Disposition
from .models import MAX_ANSWER, MAX_TEXT


def _required(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].error_messages["required"] = f"请填写{form.fields[name].label}"


class CovenantForm(forms.Form):
    kind = forms.ChoiceField(label="公约类型", choices=CovenantKind.choices)
    title = forms.CharField(label="公约名称", max_length=100)
    area = forms.ModelChoiceField(
        label="社区", queryset=Area.objects.none(), required=False, help_text="居民公约选择社区"
    )
    estate = forms.ModelChoiceField(
        label="小区", queryset=Estate.objects.none(), required=False, help_text="小区公约选择小区"
    )

    def __init__(self, *args: Any, areas: Any, estates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, rows in (("area", areas), ("estate", estates)):
            self.fields[name].queryset = rows
            self.fields[name].error_messages["invalid_choice"] = (
                f"所选{self.fields[name].label}不存在或不在您的范围内"
            )
        _required(self, "title")


class VersionTextForm(forms.Form):
    text = forms.CharField(
        label="公约正文",
        max_length=MAX_TEXT,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text="每条一行，如“第一条 ……”，便于居民按条提意见和比对修改",
    )
    note = forms.CharField(label="修订说明", max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["max_length"] = (
            f"公约正文不能超过 {MAX_TEXT} 字（现为 %(show_value)d 字）"
        )


class ConsultForm(forms.Form):
    until = forms.DateField(label="征求意见截止日期", widget=DateInput())
    publicity = forms.BooleanField(label="同时在社区公示草案", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self, "until")
        self.fields["until"].error_messages["invalid"] = "征求意见截止日期格式不对，应如 2026-12-31"


class AnswerForm(forms.Form):
    disposition = forms.ChoiceField(label="采纳情况", choices=Disposition.choices)
    answer = forms.CharField(
        label="答复及理由", max_length=MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self, "answer")
        self.fields["disposition"].error_messages["required"] = "请选择采纳情况"
        self.fields["disposition"].error_messages["invalid_choice"] = (
            "请选择采纳情况：采纳、部分采纳或不予采纳"
        )


class FileForm(forms.Form):
    filed_on = forms.DateField(label="备案日期", widget=DateInput())
    filed_with = forms.CharField(
        label="备案机关", max_length=100, help_text="不设区的市、市辖区的人民政府或者它的派出机关"
    )
    receipt = forms.FileField(label="备案回执（PDF、JPG 或 PNG，可不传）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required(self, "filed_on", "filed_with")
        self.fields["filed_on"].error_messages["invalid"] = "备案日期格式不对，应如 2026-12-31"
