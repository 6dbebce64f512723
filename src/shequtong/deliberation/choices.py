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


class Electorate(models.TextChoices):
    """Who is on a vote's roll, read from the registry when it opens."""

    OWNERS = "owners", "小区业主（按专有面积和人数）"
    RESIDENTS = "residents", "成年居民（户籍和非户籍）"
    HOUSEHOLDS = "households", "住户（每户一票）"
    REPRESENTATIVES = "representatives", "居民代表"
    PARTY = "party", "党员"


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


class TopicSource(models.TextChoices):
    """Where a topic (议题) comes from."""

    RESIDENT = "resident", "居民提议"
    CASES = "cases", "事件聚类"
    GRID = "grid", "网格收集"
    COMMITTEES = "committees", "社区两委"
    OWNERS_COMMITTEE = "owners_committee", "业主委员会"
    CATALOGUE = "catalogue", "议事目录"


class TopicLevel(models.TextChoices):
    COMMUNITY = "community", "社区"
    ESTATE = "estate", "小区"
    BUILDING = "building", "楼栋"
    GRID = "grid", "网格"


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", "待受理"
    RUNNING = "running", "议事中"
    DONE = "done", "已办结"
    DECLINED = "declined", "不予受理"
    ENDED = "ended", "已终止"


class StepKind(models.TextChoices):
    """What completing a step needs: a note and document (提议, 记录), a meeting whose rule
    passed (商议 needs minutes only), a 公示 opened, an owners' vote that passed, or a closed
    household survey that 60 % or more of the households agreed to (集中民意)."""

    PROPOSE = "propose", "提议"
    DISCUSS = "discuss", "商议（会议纪要）"
    PARTY_REVIEW = "party_review", "党员大会审议"
    RESOLVE = "resolve", "居民会议或居民代表会议决议"
    PUBLISH = "publish", "公开（公示）"
    OWNERS_VOTE = "owners_vote", "业主共同决定"
    SURVEY = "survey", "入户征求意见（60%以上住户同意）"
    RECORD = "record", "记录"


class MeetingKind(models.TextChoices):
    COMMITTEES = "committees", "两委联席会议"
    PARTY = "party", "党员大会"
    RESIDENTS = "residents", "居民会议"
    REPRESENTATIVES = "representatives", "居民代表会议"
    COUNCIL = "council", "议事会"
    OTHER = "other", "其他协商会议"


class InviteeRole(models.TextChoices):
    MEMBER = "member", "参会成员"
    RESIDENT = "resident", "居民代表"
    PARTY_REP = "party_rep", "党代表"
    NPC = "npc", "人大代表"
    CPPCC = "cppcc", "政协委员"
    ORGANISATION = "organisation", "社会组织"
    STAFF = "staff", "工作人员"
