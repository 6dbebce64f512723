from __future__ import annotations

from typing import Any

from django import forms

from shequtong.core.models import Area
from shequtong.registry.models import Building, Estate
from shequtong.web.widgets import DateTimeInput, MomentField

from .choices import (
    Channel,
    Choice,
    Electorate,
    InviteeRole,
    MeetingKind,
    OwnerMatter,
    TopicLevel,
    TopicSource,
)


class VoteForm(forms.Form):
    electorate = forms.ChoiceField(label="投票人", choices=Electorate.choices)
    estate = forms.ModelChoiceField(
        label="小区", queryset=Estate.objects.none(), required=False, help_text="业主表决必选"
    )
    area = forms.ModelChoiceField(
        label="社区或网格",
        queryset=Area.objects.none(),
        required=False,
        help_text="居民、住户、居民代表或党员的表决必选",
    )
    title = forms.CharField(label="表决事项", max_length=200)
    matter = forms.ChoiceField(
        label="事项类别（业主表决）",
        choices=[("", "—"), *OwnerMatter.choices],
        required=False,
        help_text="筹集维修资金、改建重建、改变共有部分用途或经营须双四分之三同意，其余须双过半数",
    )
    secret = forms.BooleanField(
        label="无记名投票",
        required=False,
        help_text="选举等事项：不保存投票人与选择的对应关系，投出后不能更改；业主表决须记名",
    )
    candidates = forms.CharField(
        label="候选人（选举）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一名；留空则为同意、不同意、弃权的表决",
    )
    seats = forms.IntegerField(label="应选人数", min_value=1, max_value=30, required=False)
    description = forms.CharField(
        label="说明", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opens_at = MomentField(label="开始时间", widget=DateTimeInput())
    closes_at = MomentField(label="截止时间", widget=DateTimeInput())

    def clean_candidates(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["candidates"].splitlines() if line.strip()
        ]

    def __init__(self, *args: Any, estates: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["area"].queryset = areas


class KeyedBallotForm(forms.Form):
    """A paper or proxy ballot keyed in by staff."""

    entry = forms.IntegerField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label="方式", choices=[(Channel.PAPER, "纸质"), (Channel.PROXY, "委托")]
    )
    choice = forms.ChoiceField(label="表决意见", choices=Choice.choices, required=False)
    proxy_name = forms.CharField(label="受托人", max_length=32, required=False)
    document = forms.FileField(label="签名表决票或授权委托书扫描件")


class TopicForm(forms.Form):
    """Staff's proposal: the community (or grid) it is decided in, its level and source."""

    area = forms.ModelChoiceField(label="社区或网格", queryset=Area.objects.none())
    title = forms.CharField(label="议题", max_length=120)
    description = forms.CharField(
        label="内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(
        label="来源", choices=[c for c in TopicSource.choices if c[0] != TopicSource.RESIDENT]
    )
    level = forms.ChoiceField(label="层级", choices=TopicLevel.choices)
    estate = forms.ModelChoiceField(label="小区", queryset=Estate.objects.none(), required=False)
    building = forms.ModelChoiceField(
        label="楼栋", queryset=Building.objects.none(), required=False
    )
    case_numbers = forms.CharField(
        label="来源事件编号", max_length=500, required=False, help_text="多个编号用空格或逗号分隔"
    )

    def __init__(self, *args: Any, areas: Any, estates: Any, buildings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["estate"].queryset = estates
        self.fields["building"].queryset = buildings


class ResidentTopicForm(forms.Form):
    title = forms.CharField(label="议题", max_length=120)
    description = forms.CharField(
        label="内容和理由", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    level = forms.ChoiceField(
        label="涉及范围",
        choices=[c for c in TopicLevel.choices if c[0] != TopicLevel.GRID],
    )


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices)
    title = forms.CharField(label="会议名称", max_length=120)
    starts_at = MomentField(label="会议时间", widget=DateTimeInput())
    place = forms.CharField(label="地点", max_length=120)
    due = forms.IntegerField(
        label="应到人数",
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text="党员大会、居民会议、居民代表会议留空则按档案计算",
    )


class MeetingRecordForm(forms.Form):
    minutes = forms.CharField(
        label="会议纪要", max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    resolution = forms.CharField(
        label="会议决议", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due = forms.IntegerField(label="应到人数", min_value=1, max_value=1_000_000, required=False)
    present = forms.IntegerField(
        label="实到人数",
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text="留空则按签到人数",
    )
    agree = forms.IntegerField(label="同意", min_value=0, max_value=1_000_000, required=False)
    disagree = forms.IntegerField(label="不同意", min_value=0, max_value=1_000_000, required=False)
    abstain = forms.IntegerField(label="弃权", min_value=0, max_value=1_000_000, required=False)


class InviteeForm(forms.Form):
    name = forms.CharField(label="姓名或单位", max_length=64)
    role = forms.ChoiceField(label="身份", choices=InviteeRole.choices)
