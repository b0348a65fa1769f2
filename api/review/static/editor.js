"use strict";
/* The in-place editor used by field rows and transaction cells: one open at a time.
   Enter saves, Escape cancels; a refused value keeps the editor open with the reason under it. */

const Editor = (() => {
  let current = null; // {cell, restore, save, input, note, error, buttons}

  /** Opens an editor in `cell`. `save(value, note)` resolves {ok} or {ok: false, inline?: text};
      `restore()` puts the cell's normal content back on cancel. */
  function open(cell, { label, initial, placeholder, restore, save }) {
    cancel();
    const input = el("input", { class: "edit-input", type: "text", autocomplete: "off", spellcheck: "false",
      "aria-label": t("field.new_value", { field: label }), placeholder });
    input.value = initial ?? "";
    const note = el("input", { class: "note-input", type: "text", autocomplete: "off",
      "aria-label": t("field.note"), placeholder: t("field.note") });
    const saveButton = el("button", { type: "button", class: "save primary", text: t("field.save") });
    const cancelButton = el("button", { type: "button", class: "cancel", text: t("field.cancel") });
    const error = el("div", { class: "edit-error", role: "alert", hidden: true });
    cell.classList.add("editing");
    cell.replaceChildren(el("div", { class: "editor" },
      input, note, el("div", { class: "editor-buttons" }, saveButton, cancelButton), error));
    current = { cell, restore, save, input, note, error, buttons: [saveButton, cancelButton] };
    for (const field of [input, note]) field.addEventListener("keydown", onKeydown);
    saveButton.addEventListener("click", submit);
    cancelButton.addEventListener("click", cancel);
    input.focus();
    input.select();
  }

  function onKeydown(event) {
    if (event.key === "Enter") {
      event.preventDefault();
      submit();
    } else if (event.key === "Escape") {
      event.preventDefault();
      cancel();
    }
  }

  function setBusy(editor, busy) {
    for (const node of [editor.input, editor.note, ...editor.buttons]) node.disabled = busy;
    editor.cell.setAttribute("aria-busy", String(busy));
  }

  async function submit() {
    const editor = current;
    if (!editor || editor.input.disabled) return;
    setBusy(editor, true);
    const result = await editor.save(editor.input.value, editor.note.value.trim() || null);
    if (result.ok || current !== editor) return; // saved: the view was re-drawn without this editor
    setBusy(editor, false);
    editor.error.hidden = !result.inline;
    editor.error.textContent = result.inline || "";
    editor.input.focus();
  }

  /** Closes the editor and restores its cell; false when none was open. */
  function cancel() {
    if (!current) return false;
    const { cell, restore } = current;
    current = null;
    cell.classList.remove("editing");
    cell.removeAttribute("aria-busy");
    restore();
    return true;
  }

  /** Forgets the editor without touching the page (its cell is being re-drawn). */
  function discard() {
    current = null;
  }

  return { open, cancel, discard };
})();
