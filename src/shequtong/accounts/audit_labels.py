AUDIT_LABELS = {
    "account.signup": "居民注册账号",
    "account.claim": "提交实名认证",
    "account.claim_confirm": "确认实名认证",
    "account.claim_reject": "驳回实名认证",
    "account.proxy_start": "开始代办",
    "account.org_open": "开通组织账号",
}
