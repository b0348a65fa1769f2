"""中国银行 交易流水明细清单 (BOC transaction statement).

记账日期 ``YYYY/MM/DD`` and 记账时间; 币别; signed 金额 and 余额 with separators; 交易名称 (the summary);
渠道; 对方账户名 and 对方卡号/账号. The header prints 期初余额 and 期末余额; the card is 借记卡号.
"""

from extractors.statements.layout import Layout, declare

LAYOUT = declare(Layout(
    name="boc",
    bank_name="中国银行",
    identifiers=("中国银行", "交易流水"),
    columns={"币别": "", "金额": "amount", "交易名称": "summary", "对方账户名": "counterparty",
             "对方卡号/账号": "counterparty_account"},
    header_fields={"account_name": r"客户姓名[:：]?\n?([^\n:：]{1,30}?)(?=\n|$)",
                   "account_number": r"借记卡号[:：]?\n?([0-9\s]{12,23})"},
))
