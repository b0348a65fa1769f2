"""中国建设银行 个人活期账户交易明细 (CCB current-account detail).

序号 first; 交易日期 as ``YYYYMMDD``; one signed amount column without separators; 账户余额; 交易地点/附言;
counterparty account and name in one cell (``对方账号与户名``, ``account/name``); a 本页合计 line per page.
"""

from extractors.statements.layout import Layout, declare

LAYOUT = declare(Layout(
    name="ccb",
    bank_name="中国建设银行",
    identifiers=("中国建设银行", "交易明细"),
    columns={"序号": "", "币别": "", "交易金额": "amount", "账户余额": "balance", "交易地点/附言": "place",
             "对方账号与户名": "counterparty_both"},
    header_fields={"period": r"起始日期[:：]?\n?(\d{8})\n?结束日期[:：]?\n?(\d{8})"},
))
