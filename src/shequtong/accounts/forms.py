from __future__ import annotations

from django import forms

from shequtong.core.choices import AreaLevel
from shequtong.core.models import Area


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label="验证码",
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ClaimForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=32)
    id_number = forms.CharField(label="身份证号", max_length=24)
    community = forms.ModelChoiceField(
        label="居住社区",
        queryset=Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path"),
        required=False,
        empty_label="（档案中找不到我时选择）",
        help_text="只在社区档案中没有您的记录时使用",
    )


class OrgAccountForm(forms.Form):
    organization = forms.ModelChoiceField(label="组织", queryset=None)
    username = forms.RegexField(
        label="登录名",
        max_length=32,
        regex=r"^[A-Za-z0-9_.-]{3,32}$",
        error_messages={"invalid": "登录名为 3–32 位字母、数字、下划线、点或横线"},
    )
    display_name = forms.CharField(label="联系人姓名", max_length=32)
    phone = forms.CharField(label="手机号", max_length=20)

    def __init__(self, *args: object, organizations: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
