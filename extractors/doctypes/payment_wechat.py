"""WeChat Pay transaction records (微信支付交易明细), in the forms an app user can get.

- the bill file (账单流水文件) WeChat sends: an XLSX (or, from older app versions, a UTF-8 CSV) of 16
  preamble rows (``微信支付账单明细``, 微信昵称, 起始时间/终止时间, 共N笔记录, 收入/支出/中性交易 totals, notes),
  then ``交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注``;
- the PDF 微信支付交易明细证明, read from its text layer (or OCR'd when it was scanned).

WeChat prints ``/`` in 收/支 for what is neither (零钱提现, 零钱通): read as 不计收支.

>>> text = "微信支付账单明细\\n微信昵称：[小张]\\n起始时间：[2026-06-01 00:00:00] 终止时间：[2026-11-30 23:59:59]\\n"
>>> text += "共1笔记录\\n收入：0笔 0.00元\\n支出：1笔 12.50元\\n中性交易：0笔 0.00元\\n"
>>> text += "交易时间,交易类型,交易对方,商品,收/支,金额(元),支付方式,当前状态,交易单号,商户单号,备注\\n"
>>> text += "2026-11-02 08:01:02,商户消费,早餐店,豆浆油条,支出,¥12.50,零钱,支付成功,4200001,10001,/\\n"
>>> data = text.encode("utf-8-sig")
>>> WeChatPayRecords.owns_file(data)
'csv'
>>> doc = WeChatPayRecords().read_file(data)
>>> doc.fields["account"].value, doc.tables["transactions"][0]["amount"].value
('小张', '-12.50')
"""

from __future__ import annotations

from extractors.models import ExtractedDocument
from extractors.payments import exports, records
from extractors.payments.doctype import PaymentRecords

TITLE = "微信支付账单明细"


class WeChatPayRecords(PaymentRecords):
    doc_type = "payment_wechat"
    label = ("微信支付交易明细", "WeChat Pay transaction records")
    keywords = ("微信", "交易单号", "交易对方", "商户单号")
    proof_form = "wechat_pdf"

    @classmethod
    def owns_file(cls, data: bytes) -> str | None:
        archive = exports.is_xlsx(data)
        if archive is not None:
            return "xlsx" if exports.workbook_holds(archive, TITLE) else None
        return "csv" if TITLE in exports.head_text(data) else None

    def read_file(self, data: bytes) -> ExtractedDocument:
        if exports.is_xlsx(data) is not None:
            return records.document(self.doc_type, exports.parse_xlsx(data, "wechat_xlsx"))
        return records.document(self.doc_type, exports.parse_csv(data, "wechat_csv"))
