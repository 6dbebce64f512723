"""Console forms of the registry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from shequtong.core.models import Area
from shequtong.web.widgets import DateInput

from .choices import FacilityKind, OrganizationKind, VehicleKind
from .models import ImportMode


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={"placeholder": "姓名、拼音或首字母、证件/电话后四位、地址、车牌", "size": 34}
        ),
    )
    tag = forms.ChoiceField(label="人群", required=False)
    include_inactive = forms.BooleanField(label="含迁出/已故", required=False)

    def __init__(self, *args: Any, tags: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", "全部"), *tags]


class ImportForm(forms.Form):
    community = forms.ModelChoiceField(
        label="导入到社区", queryset=Area.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label="台账文件", help_text="支持 .xlsx、.xls、.ods、.csv（UTF-8 或 GBK）"
    )
    mode = forms.ChoiceField(
        label="导入方式", choices=ImportMode.choices, initial=ImportMode.VALID_ROWS
    )
    create_places = forms.BooleanField(
        label="小区、楼栋、房屋不存在时自动新建", required=False, initial=True
    )

    def __init__(self, *args: Any, communities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class EndResidenceForm(forms.Form):
    kind = forms.ChoiceField(label="事项", choices=[("moved_out", "迁出"), ("deceased", "死亡")])
    on = forms.DateField(label="日期", widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label="说明", required=False, max_length=100)


class TagAddForm(forms.Form):
    tag = forms.ChoiceField(label="标签")
    started_on = forms.DateField(label="起始日期", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args: Any, tags: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = tags


class PlaceForm(forms.Form):
    """楼栋归入网格: the ticked buildings, or every building of the ticked estates, into one
    grid."""

    grid = forms.ModelChoiceField(
        label="归入网格",
        queryset=Area.objects.none(),
        empty_label="请选择网格",
        error_messages={"required": "请选择网格", "invalid_choice": "所选网格不在您的管辖范围内"},
    )
    buildings = forms.ModelMultipleChoiceField(queryset=Area.objects.none(), required=False)
    estates = forms.ModelMultipleChoiceField(queryset=Area.objects.none(), required=False)

    def __init__(
        self, *args: Any, grids: list[Area], buildings: Any, estates: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Area.objects.filter(pk__in=[g.pk for g in grids])
        self.fields["grid"].choices = [("", "请选择网格")] + [
            (g.pk, f"{g.parent.name} · {g.name}" if g.parent else g.name) for g in grids
        ]
        self.fields["buildings"].queryset = buildings
        self.fields["estates"].queryset = estates

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("buildings") and not data.get("estates"):
            raise forms.ValidationError("请勾选要归入网格的楼栋或小区")
        return data


class _InAreaForm(forms.Form):
    """A directory row's 所属区域: the communities and grids where the user may add it."""

    area = forms.ModelChoiceField(label="所属区域", queryset=Area.objects.none(), empty_label=None)

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class _PointFields(forms.Form):
    lon = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)


class OrganizationForm(_InAreaForm, _PointFields):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类别", choices=OrganizationKind.choices)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18)
    address = forms.CharField(label="地址", max_length=200, required=False)
    contact_name = forms.CharField(label="联系人", max_length=32, required=False)
    contact_phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        help_text="修改时留空则保持原号码（原号码不在此显示）",
    )
    field_order = ["name", "kind", "credit_code", "area", "address", "contact_name"]


class FacilityForm(_InAreaForm, _PointFields):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类别", choices=FacilityKind.choices)
    address = forms.CharField(label="地址", max_length=200, required=False)
    floor_area = forms.DecimalField(
        label="面积 (m²)", max_digits=8, decimal_places=2, required=False, min_value=0
    )
    opening_hours = forms.CharField(label="开放时间", max_length=100, required=False)
    field_order = ["name", "kind", "area", "address", "floor_area", "opening_hours"]


class VehicleForm(_InAreaForm):
    plate = forms.CharField(label="号牌", max_length=10)
    kind = forms.ChoiceField(
        label="类型", choices=[("", "按号牌判断"), *VehicleKind.choices], required=False
    )
    note = forms.CharField(label="备注", max_length=200, required=False)
    field_order = ["plate", "kind", "area", "note"]
