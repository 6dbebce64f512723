from django.db import models


class OwnerMatter(models.TextChoices):
    """民法典第278条's matters. Items 6–8 need 3/4 of the participating area and owners."""

    RULES = "rules", "制定和修改业主大会议事规则、管理规约"
    COMMITTEE = "committee", "选举业主委员会或者更换业主委员会成员"
    PROPERTY_SERVICE = "property_service", "选聘和解聘物业服务企业或者其他管理人"
    USE_FUND = "use_fund", "使用建筑物及其附属设施的维修资金"
    RAISE_FUND = "raise_fund", "筹集建筑物及其附属设施的维修资金"
    REBUILD = "rebuild", "改建、重建建筑物及其附属设施"
    CHANGE_USE = "change_use", "改变共有部分的用途或者利用共有部分从事经营活动"
    OTHER = "other", "有关共有和共同管理权利的其他重大事项"


SPECIAL_MATTERS = frozenset({OwnerMatter.RAISE_FUND, OwnerMatter.REBUILD, OwnerMatter.CHANGE_USE})


class VoteStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "投票中"
    CLOSED = "closed", "已结束"


class Choice(models.TextChoices):
    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"
    ABSTAIN = "abstain", "弃权"


class Channel(models.TextChoices):
    ONLINE = "online", "线上"
    PAPER = "paper", "纸质"
    PROXY = "proxy", "委托"
