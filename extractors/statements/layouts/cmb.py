"""招商银行 交易流水 (CMB statement, bilingual).

Two-line bilingual headers (记账日期 / Date, 交易金额 / Transaction Amount, 联机余额 / Balance, 交易摘要 /
Transaction Type, 对手信息 / Counter Party); no time; counterparty name and account in one cell.
"""

from extractors.statements.layout import Layout, declare

LAYOUT = declare(Layout(
    name="cmb",
    bank_name="招商银行",
    identifiers=("招商银行", "交易流水"),
    columns={"货币": "", "联机余额": "balance", "交易摘要": "summary", "对手信息": "counterparty_both"},
))
