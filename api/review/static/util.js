"use strict";
/* DOM builders and the formatting of server values, shared by the views.
   Server text only ever reaches the page through textContent / attributes set here. */

const SVG_NS = "http://www.w3.org/2000/svg";

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  return node;
}

function appendAll(node, children) {
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** An HTML element: `attrs` are attributes ("text" sets the text), `children` nodes or strings. */
function el(tag, attrs = {}, ...children) {
  return appendAll(setAttrs(document.createElement(tag), attrs), children);
}

/** An SVG element, like el(). */
function svg(tag, attrs = {}, ...children) {
  return appendAll(setAttrs(document.createElementNS(SVG_NS, tag), attrs), children);
}

/** Replaces a node's children with `children`, skipping null / false ones. */
function fill(node, ...children) {
  node.replaceChildren();
  return appendAll(node, children);
}

function byId(id) {
  return document.getElementById(id);
}

/** "2小时5分" / "2 h 5 min" for a number of seconds. */
function formatAge(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return t("age.days", { d: days, h: hours });
  if (hours > 0) return t("age.hours", { h: hours, m: minutes });
  if (minutes > 0) return t("age.minutes", { m: minutes });
  return t("age.seconds", { s });
}

const DAY_S = 86400;

/** Local "2026-11-21 16:05" for an ISO timestamp; the text as sent when it does not parse. */
function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

const DECIMAL = /^([+-]?)(\d+)(\.\d+)?$/;

/** "-1,234.50" for the decimal string "-1234.50"; other text as it is. No float rounding. */
function formatAmount(value) {
  if (value === null || value === undefined) return "";
  const m = DECIMAL.exec(String(value).trim());
  if (!m) return String(value);
  const sign = m[1] === "-" ? "-" : "";
  return sign + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (m[3] || "");
}

/** The sign of a decimal string: -1, 0, 1, or null when it is not a number. */
function amountSign(value) {
  const m = DECIMAL.exec(String(value ?? "").trim());
  if (!m) return null;
  if (/^0*$/.test(m[2]) && /^\.?0*$/.test(m[3] || "")) return 0;
  return m[1] === "-" ? -1 : 1;
}

function formatConfidence(confidence) {
  return typeof confidence === "number" ? `${Math.round(confidence * 100)}%` : "—";
}

/** A translated name for a key family ("type", "status", ...), the key itself when unknown. */
function nameOf(family, key) {
  if (key === null || key === undefined || key === "") return "";
  return hasText(`${family}.${key}`) ? t(`${family}.${key}`) : String(key);
}

function typeName(type) {
  return nameOf("type", type);
}

function typesText(types) {
  return (types || []).map(typeName).join(currentLang() === "en" ? ", " : "、");
}

function stateName(state) {
  return nameOf("status", state);
}

const ROW_FIELD = /^([a-z_]+)\[(\d+)\]\.([a-z_]+)$/;

/** {table, row, name} for "transactions[12].balance", null for a plain field name. */
function parseRowField(field) {
  const m = ROW_FIELD.exec(field);
  return m ? { table: m[1], row: Number(m[2]), name: m[3] } : null;
}

/* The document types as the server declares them (GET /review/api/types): the labels of each type, field,
   table and column in both languages, and each column's kind. Learnt once at start, before the first view.
   Two types may give one field name different labels (a statement's 户名, a payment record's 姓名): labels are
   kept per type (`tname.<type>.<field>`, `tcol.<type>.<table>.<column>`), and the first type to declare a
   name also gives the label used where no type is known. */
const Declared = { types: [], tables: {} };

function learnTypes(types) {
  Declared.types = types;
  for (const type of types) {
    for (const lang of ["zh", "en"]) {
      const table = window.I18N[lang];
      const first = (key, text) => { if (!(key in table)) table[key] = text; };
      table[`type.${type.type}`] = type[lang];
      for (const f of type.fields) {
        table[`tname.${type.type}.${f.name}`] = f[lang];
        first(`fname.${f.name}`, f[lang]);
      }
      for (const tb of type.tables) {
        table[`tname.${type.type}.${tb.name}`] = tb[lang];
        first(`fname.${tb.name}`, tb[lang]);
        for (const c of tb.columns) {
          table[`tcol.${type.type}.${tb.name}.${c.name}`] = c[lang];
          first(`col.${tb.name}.${c.name}`, c[lang]);
        }
      }
    }
    for (const tb of type.tables) Declared.tables[`${type.type}.${tb.name}`] = tb.columns;
  }
}

/** The declared columns of a type's table ([] for none). */
function declaredColumns(type, table) {
  return Declared.tables[`${type}.${table}`] || [];
}

/** "公民身份号码" for "id_number", "第 13 行 余额" for "transactions[12].balance"; in the words of ``type``
    where it is known. */
function fieldLabel(field, type) {
  const cell = parseRowField(field);
  if (!cell) return hasText(`tname.${type}.${field}`) ? t(`tname.${type}.${field}`) : nameOf("fname", field);
  const typed = `tcol.${type}.${cell.table}.${cell.name}`;
  const column = hasText(typed) ? t(typed) : hasText(`col.${cell.table}.${cell.name}`)
    ? nameOf("col", `${cell.table}.${cell.name}`) : nameOf("fname", cell.name);
  return `${t("field.row", { n: cell.row + 1 })} ${column}`;
}

/** The key under which a selection / reveal is stored: "0:name". */
function targetKey(target) {
  return `${target.document}:${target.field}`;
}

/** The {document, field} named by an element's data-document / data-field. */
function targetOf(node) {
  return { document: Number(node.dataset.document), field: node.dataset.field };
}

/** The CSS selector part matching a target's data attributes. */
function targetSelector(target) {
  return `[data-document="${target.document}"][data-field="${CSS.escape(target.field)}"]`;
}
