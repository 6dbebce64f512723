"""Votes: an estate's owners (业主共同决定, each owner once with the exclusive area of all their
units) or an area's residents, households, representatives or party members. The roll is fixed
when the vote opens; ballots come by every channel. A named vote keeps every ballot and counts
each voter's latest; a secret vote keeps the ballot box apart from the roll (`SecretBallot`:
no voter, no time, no sequence), so no administrator can read who chose what. The tally is
recomputed from the ballots (a recount) and compared with the one published."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from shequtong.core.models import GovernedModel, User
from shequtong.core.storage import sealed_storage

from ..choices import Channel, Choice, Electorate, OwnerMatter, VoteStatus


def shown_choice(vote: Vote, choice: str, picks: list[int]) -> str:
    """A ballot in words: 同意, or the candidates picked (none picked: 弃权)."""
    if vote.candidates:
        return "、".join(vote.candidates[p] for p in picks) or "弃权"
    return Choice(choice).label


class Vote(GovernedModel):
    electorate = models.CharField(
        "投票人", max_length=16, choices=Electorate.choices, default=Electorate.OWNERS
    )
    # Owners vote by estate; the others by the area (community or grid) the vote is held in.
    estate = models.ForeignKey(
        "registry.Estate",
        verbose_name="小区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="votes",
    )
    secret = models.BooleanField("无记名投票", default=False)
    # An election (选举): the candidates' names in ballot order and how many are elected; a
    # ballot then picks up to `seats` of them instead of agreeing or not.
    candidates = models.JSONField("候选人", default=list, blank=True)
    seats = models.PositiveSmallIntegerField("应选人数", null=True, blank=True)
    title = models.CharField("表决事项", max_length=200)
    matter = models.CharField("事项类别", max_length=24, choices=OwnerMatter.choices, blank=True)
    description = models.TextField("说明", max_length=5000, blank=True)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    status = models.CharField(
        "状态", max_length=16, choices=VoteStatus.choices, default=VoteStatus.DRAFT
    )
    total_area = models.DecimalField(
        "专有部分总面积 (m²)", max_digits=14, decimal_places=2, null=True, editable=False
    )
    total_owners = models.PositiveIntegerField("名册人数", null=True, editable=False)
    result = models.JSONField("公布结果", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "业主表决"
        verbose_name_plural = verbose_name
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="deliberation_vote_window"
            ),
            # The law signs owners' votes: never secret, always of an estate, about a matter.
            models.CheckConstraint(
                condition=~Q(electorate="owners")
                | Q(secret=False, estate__isnull=False) & ~Q(matter=""),
                name="deliberation_vote_owners_named",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RollEntry(GovernedModel):
    """One voter on the roll: a registry person, a household (one vote, cast by any adult
    member), or the developer for its unsold units (one owner however many). `unit_area` is the
    sum of an owner's units' registered exclusive area (0 outside owners' votes). `channel` and
    `voted_at` say how and when the voter last cast: the published roll shows them, and a
    secret vote keeps nothing else about the voter."""

    vote = models.ForeignKey(
        Vote, verbose_name="表决", on_delete=models.CASCADE, related_name="roll"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="业主",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="住户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    developer = models.BooleanField("开发建设单位", default=False)
    unit_area = models.DecimalField("专有部分面积 (m²)", max_digits=12, decimal_places=2, default=0)
    units = models.PositiveIntegerField("房屋套数", default=0)
    channel = models.CharField("投票方式", max_length=16, choices=Channel.choices, blank=True)
    voted_at = models.DateTimeField("投票时间", null=True, blank=True)
    # A secret vote's paper or proxy authorisation belongs to the voter, not to the ballot.
    document = models.FileField(
        "签到表或授权委托书", upload_to="ballots/%Y/%m/", blank=True, storage=sealed_storage
    )
    proxy_name = models.CharField("受托人", max_length=32, blank=True)

    class Meta:
        verbose_name = "表决名册"
        verbose_name_plural = verbose_name
        ordering = ["vote_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "person"], name="deliberation_roll_person_once"
            ),
            models.UniqueConstraint(
                fields=["vote"], condition=Q(developer=True), name="deliberation_roll_one_developer"
            ),
            models.UniqueConstraint(
                fields=["vote", "household"], name="deliberation_roll_household_once"
            ),
            models.CheckConstraint(
                condition=Q(developer=True, person__isnull=True, household__isnull=True)
                | Q(developer=False, person__isnull=False, household__isnull=True)
                | Q(developer=False, person__isnull=True, household__isnull=False),
                name="deliberation_roll_names_its_voter",
            ),
        ]

    def __str__(self) -> str:
        return "开发建设单位" if self.developer else str(self.person or self.household)


class Ballot(GovernedModel):
    """A ballot as cast. An owner may cast again while the vote is open; the latest counts
    (`current`), the rest are kept. A paper ballot carries its scan, a proxy its authorisation."""

    vote = models.ForeignKey(
        Vote, verbose_name="表决", on_delete=models.CASCADE, related_name="ballots"
    )
    entry = models.ForeignKey(
        RollEntry, verbose_name="业主", on_delete=models.PROTECT, related_name="ballots"
    )
    choice = models.CharField("表决意见", max_length=16, choices=Choice.choices, blank=True)
    picks = models.JSONField("所选候选人", default=list, blank=True)
    channel = models.CharField("方式", max_length=16, choices=Channel.choices)
    current = models.BooleanField("有效", default=True)
    # A signed ballot or a written authorisation names the owner: encrypted at rest.
    document = models.FileField(
        "纸质表决票或授权委托书", upload_to="ballots/%Y/%m/", blank=True, storage=sealed_storage
    )
    proxy_name = models.CharField("受托人", max_length=32, blank=True)
    cast_by = models.ForeignKey(
        User, verbose_name="录入或投票账号", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt = models.CharField("回执码", max_length=16, unique=True)

    class Meta:
        verbose_name = "表决票"
        verbose_name_plural = verbose_name
        ordering = ["vote_id", "pk"]
        constraints = [
            # One counted ballot per owner, whatever the channels racing.
            models.UniqueConstraint(
                fields=["entry"], condition=Q(current=True), name="deliberation_ballot_one_current"
            ),
            models.CheckConstraint(
                condition=Q(channel="online") | ~Q(document=""),
                name="deliberation_ballot_paper_has_document",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt

    @property
    def shown(self) -> str:
        return shown_choice(self.vote, self.choice, self.picks)


class SecretBallot(models.Model):
    """A ballot in a secret vote's box: the choice and the receipt the voter was shown, and
    nothing that leads back to them — a random key, no timestamps, no account, no roll entry.
    It is cast once (a ballot in the box cannot be taken back). Not governed: nobody reads it
    row by row; only the tally counts it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(
        Vote, verbose_name="表决", on_delete=models.CASCADE, related_name="secret_ballots"
    )
    choice = models.CharField("表决意见", max_length=16, choices=Choice.choices, blank=True)
    picks = models.JSONField("所选候选人", default=list, blank=True)
    receipt = models.CharField("回执码", max_length=16, unique=True)

    class Meta:
        verbose_name = "无记名票"
        verbose_name_plural = verbose_name
        ordering = ["receipt"]

    def __str__(self) -> str:
        return self.receipt

    @property
    def shown(self) -> str:
        return shown_choice(self.vote, self.choice, self.picks)
