"""Alipay transaction records (支付宝交易明细), in the two forms an app user can get.

- the CSV the app e-mails (GBK): the app's export (``导出信息：`` preamble with 姓名, 支付宝账户, the period
  and the totals, then ``交易时间,交易分类,交易对方,…,交易订单号,商家订单号,备注``) or the older web
  export (``支付宝交易记录明细查询``, ``交易号,…,交易创建时间,…,金额（元）,收/支,交易状态,…``, the totals in a
  trailer);
- the PDF 支付宝交易流水证明, whose table is read from its text layer (or OCR'd when it was scanned).

What the fields and rules are, and why there is no balance chain: :mod:`extractors.payments.records`.

>>> text = "导出信息：\\n姓名：张三\\n支付宝账户：138****0000\\n"
>>> text += "起始时间：[2026-06-01 00:00:00]    终止时间：[2026-11-30 23:59:59]\\n"
>>> text += "共1笔记录\\n收入：1笔 8000.00元\\n支出：0笔 0.00元\\n"
>>> text += "交易时间,交易分类,交易对方,对方账号,商品说明,收/支,金额,"
>>> text += "收/付款方式,交易状态,交易订单号,商家订单号,备注,\\n"
>>> text += "2026-11-10 09:00:00,转账红包,某某公司,co***@x.com,工资,收入,8000.00,余额,交易成功,2026111020001,,,\\n"
>>> data = text.encode("gb18030")
>>> AlipayRecords.owns_file(data)
'csv'
>>> doc = AlipayRecords().read_file(data)
>>> doc.fields["account_name"].value, doc.fields["period_end"].value, doc.fields["income_total"].value
('张三', '2026-11-30', '8000.00')
>>> row = doc.tables["transactions"][0]
>>> row["date"].value, row["time"].value, row["amount"].value, row["order_id"].value, row["amount"].source.value
('2026-11-10', '09:00:00', '8000.00', '2026111020001', 'file')
"""

from __future__ import annotations

from extractors.models import ExtractedDocument
from extractors.payments import exports, records
from extractors.payments.doctype import PaymentRecords


class AlipayRecords(PaymentRecords):
    doc_type = "payment_alipay"
    label = ("支付宝交易明细", "Alipay transaction records")
    keywords = ("支付宝", "交易对方", "商品说明", "交易订单号")
    proof_form = "alipay_pdf"

    @classmethod
    def owns_file(cls, data: bytes) -> str | None:
        head = exports.head_text(data)
        return "csv" if "支付宝" in head and ("交易" in head) else None

    def read_file(self, data: bytes) -> ExtractedDocument:
        return records.document(self.doc_type, exports.parse_csv(data, "alipay_csv"))
