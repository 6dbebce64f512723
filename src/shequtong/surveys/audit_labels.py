AUDIT_LABELS = {
    "survey.create": "新建问卷",
    "survey.update": "修改问卷",
    "survey.consent": "设置同意率计算题",
    "survey.open": "发布问卷",
    "survey.close": "结束问卷",
    "survey.response": "提交问卷答卷",
    "survey.visit": "记录问卷走访",
    "question.add": "添加问卷题目",
    "question.change": "修改问卷题目",
    "question.remove": "删除问卷题目",
}
