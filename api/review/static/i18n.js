"use strict";
/* Strings of the review pages, Chinese first, and the language helpers shared by both pages.
   Placeholders in braces ({n}) are filled by t(key, values). */

window.I18N = {
  zh: {
    "app.title": "DocIntake 审核台",
    "nav.queue": "队列",
    "header.sign_out": "退出登录",
    "lang.button": "EN",
    "lang.label": "切换为英文（English）",
    "role.reviewer": "审核员",
    "role.supervisor": "主管",

    "login.title": "登录",
    "login.username": "用户名",
    "login.password": "密码",
    "login.submit": "登录",
    "login.busy": "正在登录…",

    "msg.close": "关闭",
    "msg.reload": "重新加载",
    "msg.network": "无法连接服务器，请稍后重试。",
    "msg.saved": "已保存，版本 {version}",
    "msg.approved": "已通过，版本 {version}",
    "msg.retake": "已要求重拍，版本 {version}",
    "msg.rejected": "已拒绝，版本 {version}",

    "queue.title": "审核队列",
    "queue.waiting": "待审核 {n} 份",
    "queue.oldest": "最久等待 {age}",
    "queue.open": "打开",
    "queue.empty": "队列已清空",
    "queue.application": "申请",
    "queue.shortcuts": "快捷键：j / k 上下移动 · Enter 打开",
    "filter.status": "状态",
    "filter.type": "类型",
    "filter.rule": "规则",
    "filter.age": "等待时长",
    "filter.all_types": "全部类型",
    "filter.all_rules": "全部规则",
    "filter.any_age": "不限",
    "filter.age_over": "超过 {age}",
    "col.age": "等待",
    "col.types": "类型",
    "col.application": "申请号",
    "col.state": "状态",
    "col.findings": "问题",
    "col.open": "操作",

    "age.seconds": "{s}秒",
    "age.minutes": "{m}分",
    "age.hours": "{h}小时{m}分",
    "age.days": "{d}天{h}小时",
    "age.1h": "1小时",
    "age.4h": "4小时",
    "age.24h": "24小时",
    "age.72h": "72小时",

    "status.needs_review": "待审核",
    "status.accepted": "已通过",
    "status.rejected": "已拒绝",
    "status.all": "全部",
    "status.queued": "排队中",
    "status.processing": "处理中",
    "status.complete": "材料齐全",
    "status.incomplete": "材料不全",

    "type.id_card": "身份证",
    "type.auto": "自动识别",

    "risk.hidden_text": "被白框遮盖的文字",
    "risk.foreign_font": "与本页不同的字体",
    "risk.font_subset": "同一字体的另一子集",
    "risk.misaligned": "未与本列对齐的金额（疑似手工改写）",
    "risk.occluded": "遮挡证件的物体（手指？）",
    "risk.edited": "字体与其他栏不一致的一栏（疑似修改）",

    "doc.back": "← 返回队列",
    "doc.version": "版本 {version}",
    "doc.application": "申请 {id}",
    "doc.declared": "申报类型：{type}",
    "doc.created": "上传于 {at}",
    "doc.waiting": "已等待 {age}",
    "doc.next": "下一份",
    "doc.rejected_as": "拒绝原因：{reason}",
    "doc.shortcuts": "快捷键：j / k 选择字段 · e 修改 · Esc 取消 · + / − 缩放 · r 旋转 · a 通过 · n 下一份",

    "viewer.label": "页面图像",
    "viewer.page": "第 {n} 页",
    "viewer.page_of": "第 {n} 页 / 共 {total} 页",
    "viewer.page_select": "选择页面",
    "viewer.zoom_in": "放大 +",
    "viewer.zoom_out": "缩小 −",
    "viewer.zoom_fit": "适合窗口",
    "viewer.rotate": "旋转 ↻",
    "viewer.zoom_level": "缩放比例",
    "viewer.no_image": "页面图像无法加载。",
    "viewer.no_pages": "这是平台导出的数据文件，没有页面图像；字段的原文即文件中的内容。",

    "fields.title": "识别字段",
    "fields.table": "识别字段，j / k 或方向键选择",
    "col.field": "字段",
    "col.value": "值",
    "col.raw": "原文",
    "col.confidence": "置信度",
    "col.source": "来源",
    "col.actions": "操作",
    "legend.low": "置信度低",
    "legend.failed": "规则未通过",
    "legend.masked": "已遮蔽",
    "source.ocr": "OCR识别",
    "source.pdf_text": "PDF文本",
    "source.file": "导出文件",
    "source.derived": "推算",
    "source.reviewer": "人工",
    "value.missing": "未识别",
    "field.edit": "修改",
    "field.edit_label": "修改 {field}",
    "field.save": "保存",
    "field.cancel": "取消",
    "field.new_value": "{field} 的新值",
    "field.note": "备注（可选）",
    "field.note_shown": "备注：{note}",
    "field.type_full": "输入完整值",
    "field.reveal": "查看",
    "field.reveal_label": "查看 {field} 的完整值",
    "field.reveal_title": "显示完整值；每次查看都会被记录",
    "field.reveal_logged": "查看已记录",
    "field.reveal_all": "查看全部遮蔽字段",
    "field.row": "第 {n} 行",

    "findings.title": "问题",
    "findings.none": "没有问题",
    "findings.fields": "涉及：",
    "severity.error": "错误",
    "severity.warning": "警告",

    "stmt.title": "流水明细",
    "stmt.summary": "共 {n} 笔，{flagged} 笔有问题",
    "stmt.table": "流水明细，双击单元格或按 e 修改",
    "stmt.row": "行",
    "chart.title": "月度收支",
    "chart.label": "每月流入、流出与月末余额",
    "chart.inflow": "流入",
    "chart.outflow": "流出",
    "chart.balance": "余额",
    "chart.month": "{month}：净额 {net}，共 {count} 笔",
    "chart.tip": "{month} {what} {amount}",
    "chart.wan": "{n}万",

    "actions.title": "审核决定",
    "action.approve": "通过",
    "action.approve_note": "通过备注（可选）",
    "action.retake": "要求重拍",
    "action.retake_reason": "重拍原因",
    "action.retake_note": "给客户的说明（可选）",
    "action.retake_confirm": "确认要求重拍",
    "action.reject": "拒绝",
    "action.reject_reason": "拒绝原因（必填）",
    "action.reject_confirm": "确认拒绝",
    "action.close": "取消",
    "action.reason_required": "请填写拒绝原因。",

    "decision.approved": "{by} 于 {at} 审核通过",
    "decision.rejected": "{by} 于 {at} 拒绝",
    "decision.retake": "{by} 于 {at} 要求重拍",
    "decision.reason": "原因：{reason}",

    "history.title": "版本历史",
    "history.empty": "暂无记录",
    "history.version": "版本 {version}",
    "history.pipeline": "系统",
    "history.field": "字段",
    "history.from": "原值",
    "history.to": "新值",
    "history.failed": "版本历史无法加载。",
    "hist.extracted": "识别",
    "hist.corrected": "修改",
    "hist.approved": "通过",
    "hist.rejected": "拒绝",
    "hist.retake": "要求重拍",

    "app.heading": "申请 {id}",
    "app.missing": "缺少材料：{types}",
    "app.none_missing": "材料齐全",
    "app.findings": "跨文件比对",
    "app.documents": "文件",
    "app.open_field": "在文件中查看",
    "col.document": "文件",
    "col.version": "版本",
    "col.created": "上传时间",
  },

  en: {
    "app.title": "DocIntake Review",
    "nav.queue": "Queue",
    "header.sign_out": "Sign out",
    "lang.button": "中文",
    "lang.label": "Switch to Chinese (中文)",
    "role.reviewer": "Reviewer",
    "role.supervisor": "Supervisor",

    "login.title": "Sign in",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Sign in",
    "login.busy": "Signing in…",

    "msg.close": "Dismiss",
    "msg.reload": "Reload",
    "msg.network": "Cannot reach the server; try again later.",
    "msg.saved": "Saved — version {version}",
    "msg.approved": "Approved — version {version}",
    "msg.retake": "New photo requested — version {version}",
    "msg.rejected": "Rejected — version {version}",

    "queue.title": "Review queue",
    "queue.waiting": "{n} waiting",
    "queue.oldest": "oldest {age}",
    "queue.open": "Open",
    "queue.empty": "Queue is clear",
    "queue.application": "Application",
    "queue.shortcuts": "Keys: j / k move · Enter opens",
    "filter.status": "Status",
    "filter.type": "Type",
    "filter.rule": "Rule",
    "filter.age": "Waiting",
    "filter.all_types": "All types",
    "filter.all_rules": "All rules",
    "filter.any_age": "Any",
    "filter.age_over": "Over {age}",
    "col.age": "Waiting",
    "col.types": "Type",
    "col.application": "Application",
    "col.state": "State",
    "col.findings": "Findings",
    "col.open": "Action",

    "age.seconds": "{s} s",
    "age.minutes": "{m} min",
    "age.hours": "{h} h {m} min",
    "age.days": "{d} d {h} h",
    "age.1h": "1 h",
    "age.4h": "4 h",
    "age.24h": "24 h",
    "age.72h": "72 h",

    "status.needs_review": "Needs review",
    "status.accepted": "Accepted",
    "status.rejected": "Rejected",
    "status.all": "All",
    "status.queued": "Queued",
    "status.processing": "Processing",
    "status.complete": "Complete",
    "status.incomplete": "Incomplete",

    "type.id_card": "ID card",
    "type.auto": "Detected",

    "risk.hidden_text": "Text hidden under a white box",
    "risk.foreign_font": "Characters in a font the page does not use",
    "risk.font_subset": "Another subset of the page's font",
    "risk.misaligned": "An amount out of its column's alignment (retyped?)",
    "risk.occluded": "Something over the card (a finger?)",
    "risk.edited": "A field printed unlike the card's others (edited?)",

    "doc.back": "← Back to queue",
    "doc.version": "Version {version}",
    "doc.application": "Application {id}",
    "doc.declared": "Declared: {type}",
    "doc.created": "Uploaded {at}",
    "doc.waiting": "Waiting {age}",
    "doc.next": "Next in queue",
    "doc.rejected_as": "Rejected because: {reason}",
    "doc.shortcuts": "Keys: j / k select field · e edit · Esc cancel · + / − zoom · r rotate · a approve · n next",

    "viewer.label": "Page image",
    "viewer.page": "Page {n}",
    "viewer.page_of": "Page {n} of {total}",
    "viewer.page_select": "Choose page",
    "viewer.zoom_in": "Zoom in +",
    "viewer.zoom_out": "Zoom out −",
    "viewer.zoom_fit": "Fit",
    "viewer.rotate": "Rotate ↻",
    "viewer.zoom_level": "Zoom level",
    "viewer.no_image": "The page image could not be loaded.",
    "viewer.no_pages": "This is a data file the platform exported: there is no page image; each field's raw text is the file's own.",

    "fields.title": "Fields",
    "fields.table": "Fields; j / k or arrow keys select",
    "col.field": "Field",
    "col.value": "Value",
    "col.raw": "Raw text",
    "col.confidence": "Confidence",
    "col.source": "Source",
    "col.actions": "Actions",
    "legend.low": "Low confidence",
    "legend.failed": "Failed a rule",
    "legend.masked": "Masked",
    "source.ocr": "OCR",
    "source.pdf_text": "PDF text",
    "source.file": "exported file",
    "source.derived": "Derived",
    "source.reviewer": "Reviewer",
    "value.missing": "Not read",
    "field.edit": "Edit",
    "field.edit_label": "Edit {field}",
    "field.save": "Save",
    "field.cancel": "Cancel",
    "field.new_value": "New value for {field}",
    "field.note": "Note (optional)",
    "field.note_shown": "Note: {note}",
    "field.type_full": "Type the full value",
    "field.reveal": "Reveal",
    "field.reveal_label": "Reveal the full {field}",
    "field.reveal_title": "Show the full value; every reveal is logged",
    "field.reveal_logged": "Reveal logged",
    "field.reveal_all": "Reveal all masked fields",
    "field.row": "Row {n}",

    "findings.title": "Findings",
    "findings.none": "No findings",
    "findings.fields": "Fields:",
    "severity.error": "Error",
    "severity.warning": "Warning",

    "stmt.title": "Transactions",
    "stmt.summary": "{n} rows, {flagged} flagged",
    "stmt.table": "Transactions; double-click a cell or press e to edit",
    "stmt.row": "Row",
    "chart.title": "Monthly cash flow",
    "chart.label": "Monthly inflow, outflow and closing balance",
    "chart.inflow": "Inflow",
    "chart.outflow": "Outflow",
    "chart.balance": "Balance",
    "chart.month": "{month}: net {net}, {count} transactions",
    "chart.tip": "{month} {what} {amount}",
    "chart.wan": "{n}万",

    "actions.title": "Decision",
    "action.approve": "Approve",
    "action.approve_note": "Approval note (optional)",
    "action.retake": "Ask for a new photo",
    "action.retake_reason": "Reason",
    "action.retake_note": "Note to the customer (optional)",
    "action.retake_confirm": "Send the request",
    "action.reject": "Reject",
    "action.reject_reason": "Reason for rejecting (required)",
    "action.reject_confirm": "Confirm rejection",
    "action.close": "Cancel",
    "action.reason_required": "Enter the reason for rejecting.",

    "decision.approved": "Approved by {by} on {at}",
    "decision.rejected": "Rejected by {by} on {at}",
    "decision.retake": "New photo requested by {by} on {at}",
    "decision.reason": "Reason: {reason}",

    "history.title": "History",
    "history.empty": "No history yet",
    "history.version": "Version {version}",
    "history.pipeline": "Pipeline",
    "history.field": "Field",
    "history.from": "From",
    "history.to": "To",
    "history.failed": "The history could not be loaded.",
    "hist.extracted": "Extracted",
    "hist.corrected": "Corrected",
    "hist.approved": "Approved",
    "hist.rejected": "Rejected",
    "hist.retake": "New photo requested",

    "app.heading": "Application {id}",
    "app.missing": "Missing: {types}",
    "app.none_missing": "Nothing missing",
    "app.findings": "Cross-document checks",
    "app.documents": "Documents",
    "app.open_field": "Show in the document",
    "col.document": "Document",
    "col.version": "Version",
    "col.created": "Uploaded",
  },
};

const LANG_KEY = "docintake.lang";
let memoryLang = null; // the choice when localStorage is unavailable

/** The current language: "zh" (default) or "en". */
function currentLang() {
  let stored = memoryLang;
  try {
    stored = localStorage.getItem(LANG_KEY) ?? memoryLang;
  } catch {
    // storage blocked: the in-memory choice stands
  }
  return stored === "en" ? "en" : "zh";
}

/** Stores the language choice. */
function setLang(lang) {
  memoryLang = lang;
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
}

/** The string for `key` in the current language, with {placeholders} filled from `values`. */
function t(key, values) {
  const table = window.I18N[currentLang()];
  const text = key in table ? table[key] : (window.I18N.zh[key] ?? key);
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Whether `key` has a string (used for names the server may send that we do not know). */
function hasText(key) {
  return key in window.I18N.zh;
}

/** The side of a server {en, zh} pair for the current language. */
function pick(pair) {
  if (!pair) return "";
  if (typeof pair === "string") return pair;
  return (currentLang() === "en" ? pair.en ?? pair.zh : pair.zh ?? pair.en) ?? "";
}

/** Fills the static markup: data-i18n (text), data-i18n-label (aria-label), data-i18n-title,
    data-i18n-placeholder; sets <html lang>, the title and the #lang button. */
function applyLang() {
  document.documentElement.lang = currentLang() === "en" ? "en" : "zh-CN";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  for (const node of document.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  const toggle = document.getElementById("lang");
  if (toggle) {
    toggle.textContent = t("lang.button");
    toggle.setAttribute("aria-label", t("lang.label"));
  }
}

/** Wires the #lang button: switches, stores the choice, re-applies and calls `onChange`. */
function initLangToggle(onChange) {
  applyLang();
  document.getElementById("lang").addEventListener("click", () => {
    setLang(currentLang() === "en" ? "zh" : "en");
    applyLang();
    if (onChange) onChange();
  });
}
