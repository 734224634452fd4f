// The checker page: send the text to /api/check, highlight every edit, let the reader accept
// or keep each one, and keep the restored text in step. Offsets from the API count code
// points, so the text is handled as an array of code points (emoji count as one).
"use strict";

const $ = (id) => document.getElementById(id);

const state = {
  chars: [],     // the checked text, one code point per element
  edits: [],     // from /api/check, sorted by start
  choice: [],    // per edit: the accepted replacement, or null (kept as written)
  kept: [],      // per edit: true once the reader chose "keep as written"
  open: -1,      // index of the edit whose detail is shown
};

function setStatus(message, isError = false) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", isError);
}

function level(confidence) {
  return confidence >= 0.8 ? "high" : confidence >= 0.5 ? "mid" : "low";
}

function slice(start, end) {
  return state.chars.slice(start, end).join("");
}

function restoredText() {
  const parts = [];
  let pos = 0;
  state.edits.forEach((edit, i) => {
    parts.push(slice(pos, edit.start));
    parts.push(state.choice[i] === null ? slice(edit.start, edit.end) : state.choice[i]);
    pos = edit.end;
  });
  parts.push(slice(pos, state.chars.length));
  return parts.join("");
}

function flagLabel(edit, i) {
  const shown = state.choice[i] === null ? edit.text : state.choice[i];
  const proposal = edit.replacements.length ? edit.replacements[0] : "";
  const status = state.choice[i] !== null ? `accepted, was “${edit.text}”`
               : state.kept[i] ? "kept as written" : `proposed: “${proposal}”`;
  return `${shown} (${status}; confidence ${Math.round(edit.confidence * 100)}%)`;
}

function renderDocument() {
  const doc = $("document");
  doc.replaceChildren();
  let pos = 0;
  state.edits.forEach((edit, i) => {
    doc.append(document.createTextNode(slice(pos, edit.start)));
    const flag = document.createElement("button");
    flag.type = "button";
    flag.className = "flag " + level(edit.confidence);
    if (state.choice[i] !== null) flag.classList.add("accepted");
    else if (state.kept[i]) flag.classList.add("kept");
    if (i === state.open) flag.classList.add("selected");
    flag.dataset.index = String(i);
    flag.textContent = state.choice[i] === null ? edit.text : state.choice[i];
    flag.title = `${edit.message} (→ ${edit.replacements.join(", ")})`;
    flag.setAttribute("aria-label", flagLabel(edit, i));
    flag.addEventListener("click", () => openDetail(i));
    doc.append(flag);
    pos = edit.end;
  });
  doc.append(document.createTextNode(slice(pos, state.chars.length)));
  $("restored").value = restoredText();
}

function renderVerdict(report) {
  const verdict = $("verdict");
  const count = report.edits.length;
  verdict.replaceChildren();
  const strong = document.createElement("strong");
  strong.className = "verdict-" + report.verdict;
  strong.textContent = { spun: "Likely machine-spun", clean: "Looks clean",
                         uncertain: "Uncertain" }[report.verdict] || report.verdict;
  verdict.append(strong, document.createTextNode(
    ` — score ${report.score.toFixed(2)}; ${count} flagged phrase${count === 1 ? "" : "s"}` +
    ` in ${report.words} words.`));
}

function flagElement(i) {
  return $("document").querySelector(`.flag[data-index="${i}"]`);
}

function openDetail(i) {
  state.open = i;
  const edit = state.edits[i];
  renderDocument();
  const detail = $("detail");
  $("detail-title").textContent = `“${edit.text}”`;
  $("detail-message").textContent = edit.message;
  $("detail-meta").textContent =
    `Confidence ${Math.round(edit.confidence * 100)}% · rule ${edit.rule} · source ${edit.source}`;
  const choices = $("detail-choices");
  choices.replaceChildren();
  edit.replacements.forEach((replacement, k) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "accept";
    button.textContent = (k === 0 ? "Accept “" : "Use “") + replacement + "”";
    button.addEventListener("click", () => choose(i, replacement));
    choices.append(button);
  });
  const flag = flagElement(i);
  detail.hidden = false;
  const box = flag.getBoundingClientRect();
  detail.style.left = `${Math.max(8, Math.min(box.left + window.scrollX,
                                              window.scrollX + document.documentElement.clientWidth - detail.offsetWidth - 8))}px`;
  detail.style.top = `${box.bottom + window.scrollY + 6}px`;
  const first = choices.querySelector("button") || $("detail-keep");
  first.focus();
}

function closeDetail() {
  const i = state.open;
  state.open = -1;
  $("detail").hidden = true;
  renderDocument();
  if (i >= 0) flagElement(i)?.focus();
}

function choose(i, replacement) {
  state.choice[i] = replacement;
  state.kept[i] = replacement === null;
  closeDetail();
  setStatus(replacement === null ? "Kept as written." : `Accepted “${replacement}”.`);
}

async function check() {
  const text = $("text").value;
  if (!text.trim()) {
    setStatus("Paste or open a text first.", true);
    return;
  }
  const button = $("check");
  button.disabled = true;
  setStatus("Checking…");
  try {
    const response = await fetch("/api/check", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      setStatus(body.error || `The server answered ${response.status}.`, true);
      return;
    }
    state.chars = Array.from(text);
    state.edits = body.edits.slice().sort((a, b) => a.start - b.start);
    state.choice = state.edits.map(() => null);
    state.kept = state.edits.map(() => false);
    state.open = -1;
    $("detail").hidden = true;
    renderVerdict(body);
    renderDocument();
    $("result").hidden = false;
    setStatus(`Checked ${body.words} words.`);
  } catch (error) {
    setStatus("Could not reach the server; is `unspin serve` still running?", true);
  } finally {
    button.disabled = false;
  }
}

async function openFile(file) {
  if (!file) return;
  if (/\.(docx|pdf)$/i.test(file.name)) {            // the server extracts their text
    setStatus(`Reading ${file.name}…`);
    const form = new FormData();
    form.append("file", file);
    try {
      const response = await fetch("/api/extract", { method: "POST", body: form });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        setStatus(body.error || `The server answered ${response.status}.`, true);
        return;
      }
      $("text").value = body.text;
      setStatus(`Opened ${file.name}; press Check.`);
    } catch (error) {
      setStatus("Could not reach the server; is `unspin serve` still running?", true);
    }
    return;
  }
  if (!/\.(txt|md|markdown|text)$/i.test(file.name) && !file.type.startsWith("text/")) {
    setStatus(`${file.name}: open a .txt, .md, .docx or .pdf file.`, true);
    return;
  }
  const reader = new FileReader();
  reader.onload = () => {
    $("text").value = reader.result;
    setStatus(`Opened ${file.name}; press Check.`);
  };
  reader.onerror = () => setStatus(`${file.name}: could not be read.`, true);
  reader.readAsText(file);
}

async function copyRestored() {
  const text = $("restored").value;
  try {
    await navigator.clipboard.writeText(text);
  } catch (error) {
    $("restored").select();
    document.execCommand("copy");
  }
  setStatus("Restored text copied.");
}

function downloadRestored() {
  const blob = new Blob([$("restored").value], { type: "text/plain;charset=utf-8" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "restored.txt";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  $("check").addEventListener("click", check);
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) check();
  });
  $("file").addEventListener("change", (event) => openFile(event.target.files[0]));
  $("text").addEventListener("dragover", (event) => event.preventDefault());
  $("text").addEventListener("drop", (event) => {
    event.preventDefault();
    openFile(event.dataTransfer.files[0]);
  });
  $("accept-all").addEventListener("click", () => {
    state.choice = state.edits.map((edit, i) =>
      edit.replacements.length ? edit.replacements[0] : state.choice[i]);
    renderDocument();
    setStatus(`Accepted all ${state.edits.length} suggestions.`);
  });
  $("undo-all").addEventListener("click", () => {
    state.choice = state.edits.map(() => null);
    state.kept = state.edits.map(() => false);
    renderDocument();
    setStatus("Back to the text as written.");
  });
  $("detail-keep").addEventListener("click", () => choose(state.open, null));
  $("detail-close").addEventListener("click", closeDetail);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("detail").hidden) closeDetail();
  });
  $("copy").addEventListener("click", copyRestored);
  $("download").addEventListener("click", downloadRestored);
});
