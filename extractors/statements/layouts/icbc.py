"""中国工商银行 借记卡账户历史明细清单 (ICBC debit-card history, as exported from its app and online banking).

Newest first; one signed amount column (交易金额(收入/支出), ``+1,234.56`` / ``-45.00``); no time column;
交易场所 beside a separate 渠道 column; the card number is labelled 卡号.
"""

from extractors.statements.layout import Layout, declare

LAYOUT = declare(Layout(
    name="icbc",
    bank_name="中国工商银行",
    identifiers=("中国工商银行", "明细"),
    columns={"交易金额(收入/支出)": "amount", "对方户名": "counterparty", "对方账户": "counterparty_account",
             "交易场所": "place", "渠道": "channel"},
    header_fields={"account_number": r"卡号[:：]?\n?([0-9\s]{12,23})"},
    newest_first=True,
))
