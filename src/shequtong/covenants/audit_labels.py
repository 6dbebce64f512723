AUDIT_LABELS = {
    "covenant.create": "新建公约",
    "covenant.draft": "起草公约新版本",
    "covenant.edit": "修改公约草案",
    "covenant.consult": "公约征求意见",
    "covenant.comment": "公约意见",
    "covenant.answer": "答复公约意见",
    "covenant.submit": "公约提请表决",
    "covenant.adopt": "公约通过",
    "covenant.publish": "公约公布",
    "covenant.file": "公约备案",
    "covenant.withdraw": "撤回公约版本",
}
