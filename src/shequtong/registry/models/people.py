"""Households, persons, special-group tags and the person's timeline."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shequtong.core.fields import BlindIndexField, EncryptedTextField
from shequtong.core.models import GovernedModel

from ..choices import (
    EDUCATIONS,
    ETHNICITIES,
    POLITICAL_STATUSES,
    RELATIONSHIPS,
    Gender,
    PersonEventKind,
    PersonStatus,
    Residency,
)


class Household(GovernedModel):
    """户: the people registered at or living in one dwelling, around a head."""

    dwelling = models.ForeignKey(
        "registry.Dwelling",
        verbose_name="房屋",
        on_delete=models.PROTECT,
        related_name="households",
    )
    head = models.ForeignKey(
        "registry.Person",
        verbose_name="户主",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "户"
        verbose_name_plural = verbose_name
        ordering = ["dwelling_id", "pk"]

    def __str__(self) -> str:
        return f"{self.dwelling} 户" if not self.head_id else f"{self.head} 户"


class Person(GovernedModel):
    """居民. Gender and birth date come from the ID number and are checked against it.

    `name_pinyin`/`name_initials` serve pinyin search; `id_last4`/`phone_last4` serve the
    "last four digits" search without decrypting anything; `row_digest` is the import's
    fingerprint of the row last applied, so re-importing an unchanged row writes nothing.
    """

    name = models.CharField("姓名", max_length=32, db_index=True)
    name_pinyin = models.CharField(max_length=128, editable=False, db_index=True)
    name_initials = models.CharField(max_length=32, editable=False, db_index=True)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=2, choices=ETHNICITIES, blank=True)
    id_number = EncryptedTextField("身份证号", mask="id_number")
    id_hash = BlindIndexField(source="id_number", kind="id_number", unique=True)
    id_last4 = models.CharField(max_length=4, editable=False, db_index=True)
    phone = EncryptedTextField("联系电话", mask="phone")
    phone_hash = BlindIndexField(source="phone", kind="phone")
    phone_last4 = models.CharField(max_length=4, editable=False, blank=True, db_index=True)
    residency = models.CharField(
        "人员类型", max_length=16, choices=Residency.choices, default=Residency.REGISTERED
    )
    residency_since = models.DateField("登记日期", null=True, blank=True)
    hukou_address = models.CharField("户籍地址", max_length=200, blank=True)
    dwelling = models.ForeignKey(
        "registry.Dwelling",
        verbose_name="现住房屋",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    household = models.ForeignKey(
        Household,
        verbose_name="户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relationship = models.CharField("与户主关系", max_length=2, choices=RELATIONSHIPS, blank=True)
    occupation = models.CharField("职业", max_length=64, blank=True)
    education = models.CharField("文化程度", max_length=2, choices=EDUCATIONS, blank=True)
    political_status = models.CharField(
        "政治面貌", max_length=2, choices=POLITICAL_STATUSES, blank=True
    )
    status = models.CharField(
        "状态", max_length=16, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    moved_in_on = models.DateField("迁入日期", null=True, blank=True)
    moved_out_on = models.DateField("迁出日期", null=True, blank=True)
    deceased_on = models.DateField("死亡日期", null=True, blank=True)
    row_digest = models.CharField(max_length=32, blank=True, editable=False)

    pii_fields = ("id_number", "phone")

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "name_pinyin"]
        indexes = [
            models.Index(fields=["area_path", "status"], name="registry_person_scope"),
            # Covering (PostgreSQL): counting and paging a search by initials or pinyin reads
            # the index alone, not a heap page per match scattered over a million rows.
            models.Index(
                fields=["name_initials", "area_path"],
                include=["status", "name_pinyin"],
                name="registry_person_initials",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    """The catalogue of special groups. Sensitive ones need the `reveal` grant to be seen."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32, unique=True)
    sensitive = models.BooleanField("敏感", default=False)
    description = models.CharField("说明", max_length=200, blank=True)

    scope_global = True

    class Meta:
        verbose_name = "人群标签"
        verbose_name_plural = verbose_name
        ordering = ["sensitive", "code"]

    def __str__(self) -> str:
        return self.name


class PersonTagAssignment(GovernedModel):
    """A tag on a person for a period; ending it keeps the history (`ended_on`)."""

    person = models.ForeignKey(
        Person, verbose_name="居民", on_delete=models.CASCADE, related_name="tag_assignments"
    )
    tag = models.ForeignKey(
        PersonTag, verbose_name="标签", on_delete=models.PROTECT, related_name="assignments"
    )
    started_on = models.DateField("起始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "人群标签记录"
        verbose_name_plural = verbose_name
        ordering = ["person_id", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "tag"],
                condition=Q(ended_on__isnull=True),
                name="registry_tag_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.tag}"


class PersonEvent(GovernedModel):
    """One dated line of the person file's timeline: what changed, when, and by whom."""

    person = models.ForeignKey(
        Person, verbose_name="居民", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("事项", max_length=16, choices=PersonEventKind.choices)
    on = models.DateField("发生日期")
    actor = models.ForeignKey(
        "core.User",
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.CharField("摘要", max_length=200)
    # Field → [before, after], personal data masked, as in the audit log.
    changes = models.JSONField("变更", default=dict, blank=True)

    class Meta:
        verbose_name = "居民档案变更"
        verbose_name_plural = verbose_name
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()} {self.summary}"
