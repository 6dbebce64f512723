from django.db import models


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选"
    MULTIPLE = "multiple", "多选"
    TEXT = "text", "填空"


class Channel(models.TextChoices):
    """How a household's answer came in: the resident on /m/, or keyed in at the door."""

    ONLINE = "online", "线上作答"
    VISIT = "visit", "入户录入"


class VisitOutcome(models.TextChoices):
    """A call at the door that brought no answer. Only a refusal given face to face covers the
    household (全覆盖 counts it as reached); nobody home and moved away do not."""

    REFUSED = "refused", "当面拒答"
    NOBODY_HOME = "nobody_home", "无人在家"
    MOVED = "moved", "已搬离"


COVERING_OUTCOMES = frozenset({VisitOutcome.REFUSED})
