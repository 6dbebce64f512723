from __future__ import annotations

from typing import Any

from django import forms

from shequtong.registry.models import Estate
from shequtong.web.widgets import DateTimeInput

from .choices import Channel, Choice, OwnerMatter


class VoteForm(forms.Form):
    estate = forms.ModelChoiceField(label="小区", queryset=Estate.objects.none())
    title = forms.CharField(label="表决事项", max_length=200)
    matter = forms.ChoiceField(
        label="事项类别",
        choices=OwnerMatter.choices,
        help_text="筹集维修资金、改建重建、改变共有部分用途或经营须双四分之三同意，其余须双过半数",
    )
    description = forms.CharField(
        label="说明", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opens_at = forms.DateTimeField(label="开始时间", widget=DateTimeInput())
    closes_at = forms.DateTimeField(label="截止时间", widget=DateTimeInput())

    def __init__(self, *args: Any, estates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates


class KeyedBallotForm(forms.Form):
    """A paper or proxy ballot keyed in by staff."""

    entry = forms.IntegerField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label="方式", choices=[(Channel.PAPER, "纸质"), (Channel.PROXY, "委托")]
    )
    choice = forms.ChoiceField(label="表决意见", choices=Choice.choices)
    proxy_name = forms.CharField(label="受托人", max_length=32, required=False)
    document = forms.FileField(label="签名表决票或授权委托书扫描件")
