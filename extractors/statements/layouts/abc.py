"""中国农业银行 银行卡交易明细清单 (ABC card transaction detail).

交易日期 ``YYYYMMDD`` and 交易时间 ``HHMMSS`` in separate columns; signed 交易金额; 本次余额; 对方户名 and
对方账号; 交易渠道; 摘要 last.
"""

from extractors.statements.layout import Layout, declare

LAYOUT = declare(Layout(
    name="abc",
    bank_name="中国农业银行",
    identifiers=("中国农业银行", "交易明细"),
    columns={"交易时间": "time", "交易金额": "amount", "本次余额": "balance", "对方户名": "counterparty",
             "对方账号": "counterparty_account", "交易渠道": "channel", "摘要": "summary"},
))
