"""Code tables of the registry: the national standards communities' ledgers already use.

Stored values are the standards' codes (民族 GB/T 3304, 家庭关系 GB/T 4761, 学历 GB/T 4658,
政治面貌 GB/T 4762) so exports line up with other government systems; labels are Chinese.
"""

from django.db import models


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Residency(models.TextChoices):
    REGISTERED = "registered", "户籍人口"
    FLOATING = "floating", "流动人口"
    OTHER = "other", "其他"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "在住"
    MOVED_OUT = "moved_out", "已迁出"
    DECEASED = "deceased", "已故"


class DwellingUsage(models.TextChoices):
    SELF_OCCUPIED = "self_occupied", "自住"
    RENTED = "rented", "出租"
    VACANT = "vacant", "空置"
    COMMERCIAL = "commercial", "商用"
    OTHER = "other", "其他"


_ETHNIC_NAMES = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
]
# GB/T 3304-1991: 01–56 in this order, 97 other, 98 foreign-born Chinese citizens.
ETHNICITIES: list[tuple[str, str]] = [
    *((f"{i:02d}", f"{name}族") for i, name in enumerate(_ETHNIC_NAMES, start=1)),
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
]

# GB/T 4761-2008, the codes residents' committees use in household ledgers.
RELATIONSHIPS: list[tuple[str, str]] = [
    ("02", "户主"),
    ("10", "配偶"),
    ("11", "夫"),
    ("12", "妻"),
    ("20", "子"),
    ("30", "女"),
    ("40", "孙子女"),
    ("41", "孙子"),
    ("42", "孙女"),
    ("50", "父母"),
    ("51", "父亲"),
    ("52", "母亲"),
    ("60", "祖父母"),
    ("70", "兄弟姐妹"),
    ("80", "其他亲属"),
    ("99", "非亲属"),
]
# What ledgers write instead of the standard's label.
RELATIONSHIP_SYNONYMS = {
    "本人": "02",
    "户主本人": "02",
    "丈夫": "11",
    "妻子": "12",
    "儿子": "20",
    "长子": "20",
    "次子": "20",
    "女儿": "30",
    "长女": "30",
    "次女": "30",
    "儿媳": "80",
    "女婿": "80",
    "孙": "40",
    "外孙子": "41",
    "外孙女": "42",
    "父": "51",
    "母": "52",
    "兄": "70",
    "弟": "70",
    "姐": "70",
    "妹": "70",
    "租户": "99",
    "其他": "99",
}

# GB/T 4658-2006, grouped as household ledgers record it.
EDUCATIONS: list[tuple[str, str]] = [
    ("10", "研究生"),
    ("20", "大学本科"),
    ("30", "大学专科"),
    ("40", "中专/中技"),
    ("60", "普通高中"),
    ("70", "初中"),
    ("80", "小学"),
    ("90", "其他"),
]

# GB/T 4762-1984.
POLITICAL_STATUSES: list[tuple[str, str]] = [
    ("01", "中共党员"),
    ("02", "中共预备党员"),
    ("03", "共青团员"),
    ("04", "民革党员"),
    ("05", "民盟盟员"),
    ("06", "民建会员"),
    ("07", "民进会员"),
    ("08", "农工党党员"),
    ("09", "致公党党员"),
    ("10", "九三学社社员"),
    ("11", "台盟盟员"),
    ("12", "无党派人士"),
    ("13", "群众"),
]


class OrganizationKind(models.TextChoices):
    UNIT = "unit", "驻区单位"
    SOCIAL_ORG = "social_org", "社会组织"
    SOCIAL_ENTERPRISE = "social_enterprise", "社会企业"
    MERCHANT = "merchant", "商家"
    # Teams that publish volunteer activities (volunteering); 居民微组织 run by residents.
    VOLUNTEER_TEAM = "volunteer_team", "志愿服务队"
    MICRO_GROUP = "micro_group", "居民微组织"
    SAFETY_TEAM = "safety_team", "平安建设志愿服务团队"


class FacilityKind(models.TextChoices):
    SERVICE_CENTER = "service_center", "党群服务中心"
    DAY_CARE = "day_care", "日间照料中心"
    CLINIC = "clinic", "社区卫生服务站"
    SCHOOL = "school", "学校"
    KINDERGARTEN = "kindergarten", "幼儿园"
    FIRE_HYDRANT = "fire_hydrant", "消防栓"
    AED = "aed", "AED 除颤仪"
    CAMERA = "camera", "监控摄像头"
    CHARGING = "charging", "充电桩"
    SHELTER = "shelter", "应急避难场所"
    VOLUNTEER_STATION = "volunteer_station", "志愿服务站"
    OTHER = "other", "其他"


class VehicleKind(models.TextChoices):
    CAR = "car", "小型汽车"
    NEW_ENERGY = "new_energy", "新能源汽车"
    MOTORCYCLE = "motorcycle", "摩托车"
    E_BIKE = "e_bike", "电动自行车"
    OTHER = "other", "其他"


class PersonEventKind(models.TextChoices):
    CREATED = "created", "建档"
    IMPORTED = "imported", "导入更新"
    UPDATED = "updated", "信息变更"
    MOVED_IN = "moved_in", "迁入"
    MOVED_OUT = "moved_out", "迁出"
    DECEASED = "deceased", "死亡"
    TAG_ADDED = "tag_added", "添加标签"
    TAG_ENDED = "tag_ended", "标签结束"
    PHONE_CHANGED = "phone_changed", "电话变更"
