// The sandbox page: polls /api/state and posts what the customer and the members do.
"use strict";

const ui = { channel: "C0SUPPORT", thread: null, customer: null, business: null,
             member: null, modalKey: null, values: {}, valuesByView: {} };
let state = null;
const shown = {};  // element id -> last HTML written (skip redraws that change nothing)

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g,
  (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const EMOJI = { hourglass_flowing_sand: "⏳", outbox_tray: "📤", white_check_mark: "✅",
  x: "❌", rotating_light: "🚨", warning: "⚠️", speech_balloon: "💬", iphone: "📱",
  no_entry_sign: "🚫", lock: "🔒", paperclip: "📎", bust_in_silhouette: "👤" };
const emoji = (name) => EMOJI[name] || `:${name}:`;

function draw(id, html) {
  if (shown[id] === html) return false;
  shown[id] = html;
  $(id).innerHTML = html;
  return true;
}

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

// -- Slack's mrkdwn and Block Kit, enough of them for what the app posts -----------------

function mrkdwn(text) {
  const names = (state && state.users) || {};
  const channelName = (id) => (state.channels.find((c) => c.id === id) || {}).name || id;
  let html = esc(text);
  html = html.replace(/&lt;@([A-Z0-9]+)&gt;/g, (_, u) => `<span class="mention">@${esc(names[u] || u)}</span>`);
  html = html.replace(/&lt;#([A-Z0-9]+)(\|[^&]*)?&gt;/g, (_, c) => `<span class="mention">#${esc(channelName(c))}</span>`);
  html = html.replace(/&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;/g, "$1");
  html = html.replace(/&lt;(https?:[^|&]+)\|([^&]*)&gt;/g, '<a href="$1" target="_blank">$2</a>');
  html = html.replace(/&lt;(https?:[^&]+)&gt;/g, '<a href="$1" target="_blank">$1</a>');
  html = html.replace(/(^|[\s(])\*([^*\n]+)\*/g, "$1<b>$2</b>");
  html = html.replace(/(^|[\s(])_([^_\n]+)_/g, "$1<i>$2</i>");
  html = html.replace(/(^|[\s(])~([^~\n]+)~/g, "$1<s>$2</s>");
  html = html.replace(/`([^`\n]+)`/g, "<code>$1</code>");
  html = html.replace(/:([a-z0-9_+-]+):/g, (m, n) => (EMOJI[n] ? EMOJI[n] : m));
  html = html.replace(/^&gt;(.*)$/gm, '<span class="quote">$1</span>');
  return html.replace(/\n/g, "<br>");
}

const textOf = (t) => (!t ? "" : t.type === "mrkdwn" ? mrkdwn(t.text) : esc(t.text));

function button(el, where) {
  const data = esc(JSON.stringify({ ...where, action: { type: "button", action_id: el.action_id,
    block_id: where.block_id, value: el.value } }));
  return `<button type="button" class="btn ${esc(el.style || "")}" data-click="${data}"
    data-testid="button-${esc(el.action_id)}">${textOf(el.text)}</button>`;
}

function blocksHtml(blocks, where) {
  return blocks.map((b) => {
    const at = { ...where, block_id: b.block_id || "" };
    if (b.type === "section") {
      const fields = (b.fields || []).map((f) => `<div>${textOf(f)}</div>`).join("");
      const acc = b.accessory && b.accessory.type === "button" ? button(b.accessory, at) : "";
      return `<div class="b-section">${textOf(b.text)}${fields ? `<div class="fields">${fields}</div>` : ""}${acc}</div>`;
    }
    if (b.type === "context") {
      return `<div class="b-context">${(b.elements || []).map((e) => e.type === "image"
        ? "" : `<span>${textOf(e)}</span>`).join(" ")}</div>`;
    }
    if (b.type === "actions") {
      return `<div class="b-actions">${(b.elements || []).filter((e) => e.type === "button")
        .map((e) => button(e, at)).join("")}</div>`;
    }
    if (b.type === "header") return `<div class="b-header">${textOf(b.text)}</div>`;
    if (b.type === "divider") return "<hr>";
    if (b.type === "image") return `<img class="b-image" src="${esc(b.image_url)}" alt="${esc(b.alt_text)}">`;
    return "";
  }).join("");
}

function messageHtml(channel, m, inThread) {
  const name = m.bot ? "smsbridge" : (state.users[m.user] || m.user);
  const body = m.blocks.length ? blocksHtml(m.blocks, { channel, ts: m.ts }) : mrkdwn(m.text);
  const files = m.files.map((f) => (f.mimetype || "").startsWith("image/")
    ? `<img class="file" src="/api/slack/files/${esc(f.id)}" alt="${esc(f.name)}">`
    : `<a href="/api/slack/files/${esc(f.id)}">${esc(f.name)}</a>`).join("");
  const reactions = m.reactions.map((r) =>
    `<span class="reaction" title=":${esc(r)}:" data-testid="reaction-${esc(r)}">${emoji(r)}</span>`).join("");
  const replies = !inThread && m.replies && m.replies.length
    ? `<a class="replies" data-thread="${esc(m.ts)}" data-testid="replies">${m.replies.length} ${m.replies.length === 1 ? "reply" : "replies"}</a>` : "";
  const time = new Date(parseFloat(m.ts) * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `<div class="msg" data-ts="${esc(m.ts)}"><div class="avatar ${m.bot ? "bot" : ""}">${esc(name[0] || "?")}</div>
    <div class="msg-body"><div class="msg-head"><b>${esc(name)}</b>${m.bot ? '<span class="app">APP</span>' : ""}
    <span class="time">${time}</span></div><div class="msg-text">${body}</div>${files}
    ${reactions ? `<div class="reactions">${reactions}</div>` : ""}${replies}</div></div>`;
}

// -- rendering ------------------------------------------------------------------------------

function fillSelect(id, options, current) {
  const html = options.map(([value, label]) => `<option value="${esc(value)}">${esc(label)}</option>`).join("");
  if (draw(id, html) && current) $(id).value = current;
}

function render() {
  fillSelect("customer", state.customers.map((c) => [c.phone, `${c.name} · ${c.phone}`]), ui.customer);
  fillSelect("business", state.numbers.map((n) => [n.e164, `${n.label} · ${n.e164}`]), ui.business);
  fillSelect("member", state.members.map((m) => [m.id, m.name + (m.role ? ` (${m.role})` : "")]), ui.member);
  ui.customer = $("customer").value; ui.business = $("business").value; ui.member = $("member").value;
  renderPhone(); renderSlack(); renderModal();
}

function renderPhone() {
  const labels = Object.fromEntries(state.numbers.map((n) => [n.e164, n.label]));
  const html = (state.phones[ui.customer] || []).map((m) => `
    <div class="bubble ${m.incoming ? "in" : "out"}" data-testid="${m.incoming ? "sms-in" : "sms-out"}">
      <div class="via">${m.incoming ? "from" : "to"} ${esc(labels[m.number] || m.number)}</div>
      ${m.media.map((u) => `<img src="${esc(u)}" alt="picture">`).join("")}
      ${m.body ? `<div>${esc(m.body)}</div>` : ""}</div>`).join("");
  if (draw("sms-list", html)) $("sms-list").scrollTop = 1e9;
}

function renderSlack() {
  const chans = state.channels.filter((c) => !c.is_im || c.messages.length);
  draw("channels", chans.map((c) => `<a class="chan ${c.id === ui.channel ? "on" : ""}"
    data-channel="${esc(c.id)}" data-testid="channel-${esc(c.id)}">${c.is_im ? "● " : "# "}${esc(c.name)}</a>`).join(""));
  const channel = state.channels.find((c) => c.id === ui.channel) || state.channels[0];
  draw("channel-head", `${channel.is_im ? "" : "#"}${esc(channel.name)}`);
  if (draw("messages", channel.messages.map((m) => messageHtml(channel.id, m, false)).join(""))) {
    $("messages").scrollTop = 1e9;
  }
  const root = ui.thread && channel.messages.find((m) => m.ts === ui.thread);
  $("thread").hidden = !root;
  if (root) {
    const html = messageHtml(channel.id, root, true) + `<div class="sep">${root.replies.length} replies</div>` +
      root.replies.map((m) => messageHtml(channel.id, m, true)).join("");
    if (draw("thread-messages", html)) $("thread-messages").scrollTop = 1e9;
  }
  const mine = state.notices.filter((n) => n.user === ui.member).slice(-3);
  draw("notices", mine.map((n) => `<div class="notice"><span class="only">Only visible to you</span>${mrkdwn(n.text)}</div>`).join(""));
}

// -- the modal (views.open / views.update), with Slack's state.values ----------------------

function initialValue(el) {
  if (el.initial_option) return { type: el.type, selected_option: el.initial_option };
  if (el.type === "plain_text_input") return { type: el.type, value: el.initial_value || "" };
  return { type: el.type, selected_option: null };
}

function renderModal() {
  const modal = state.modal;
  $("modal").hidden = !modal;
  if (!modal) { ui.modalKey = null; ui.valuesByView = {}; return; }
  const key = JSON.stringify([modal.view, modal.errors]);
  if (ui.modalKey === key) return;
  // What was typed stays with its view: a pushed window (Add a contact) and back keeps it.
  ui.values = ui.valuesByView[modal.view.id] = ui.valuesByView[modal.view.id] || {};
  ui.modalKey = key;
  const view = modal.view;
  for (const b of view.blocks) {
    if (b.type !== "input") continue;
    ui.values[b.block_id] = ui.values[b.block_id] || {};
    if (!ui.values[b.block_id][b.element.action_id]) ui.values[b.block_id][b.element.action_id] = initialValue(b.element);
  }
  const body = view.blocks.map((b) => {
    if (b.type !== "input") return blocksHtml([b], { view: true });
    const el = b.element;
    const value = ui.values[b.block_id][el.action_id];
    const ref = `data-block="${esc(b.block_id)}" data-action="${esc(el.action_id)}"`;
    let control = "";
    if (el.type === "plain_text_input") {
      control = el.multiline ? `<textarea ${ref} data-testid="input-${esc(el.action_id)}">${esc(value.value)}</textarea>`
        : `<input ${ref} data-testid="input-${esc(el.action_id)}" value="${esc(value.value)}">`;
    } else if (el.type === "radio_buttons") {
      control = el.options.map((o) => `<label class="radio"><input type="radio" name="${esc(el.action_id)}" ${ref}
        value="${esc(o.value)}" ${value.selected_option && value.selected_option.value === o.value ? "checked" : ""}>${textOf(o.text)}</label>`).join("");
    } else if (el.type === "static_select") {
      control = `<select ${ref} data-testid="input-${esc(el.action_id)}">${el.options.map((o) => `<option value="${esc(o.value)}"
        ${value.selected_option && value.selected_option.value === o.value ? "selected" : ""}>${esc(o.text.text)}</option>`).join("")}</select>`;
    } else if (el.type === "external_select") {
      const chosen = value.selected_option ? value.selected_option.text.text : "";
      control = `<input class="search" ${ref} data-external="1" data-testid="input-${esc(el.action_id)}"
        placeholder="${esc((el.placeholder || {}).text || "Search")}" value="${esc(chosen)}"><div class="suggestions"></div>`;
    } else {
      control = `<div class="hint">(${esc(el.type)}: not available in the sandbox)</div>`;
    }
    const error = modal.errors[b.block_id] ? `<div class="error">${esc(modal.errors[b.block_id])}</div>` : "";
    return `<div class="field"><label>${textOf(b.label)}${b.optional ? " <i>(optional)</i>" : ""}</label>${control}${error}</div>`;
  }).join("");
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.action : null;
  const general = modal.errors[""] ? `<div class="error">${esc(modal.errors[""])}</div>` : "";
  $("modal-form").innerHTML = `<div class="modal-head">${textOf(view.title)}</div><div class="modal-body">${body}${general}</div>
    <div class="modal-foot"><button type="button" id="modal-cancel">${textOf(view.close || { text: "Cancel" })}</button>
    ${view.submit ? `<button class="primary" data-testid="modal-submit">${textOf(view.submit)}</button>` : ""}</div>`;
  const again = focused && $("modal-form").querySelector(`[data-action="${focused}"]`);
  if (again) { again.focus(); if (again.setSelectionRange) again.setSelectionRange(again.value.length, again.value.length); }
}

let typingTimer = null;
function modalInput(target) {
  const block = target.dataset.block, action = target.dataset.action;
  if (!block) return;
  const slot = ui.values[block][action];
  const def = state.modal.view.blocks.find((b) => b.block_id === block);
  if (target.dataset.external) {
    clearTimeout(typingTimer);
    const viewId = state.modal.view.id;
    typingTimer = setTimeout(async () => {
      const found = await api("/api/slack/view/suggest", { view_id: viewId, action_id: action, block_id: block, value: target.value })
        .catch(() => ({ options: [] }));  // that window is gone: nothing to suggest
      const box = target.nextElementSibling;
      box.innerHTML = found.options.map((o, i) => `<div class="option" data-i="${i}" data-testid="option">${esc(o.text.text)}</div>`).join("");
      box.onclick = (e) => {
        const o = found.options[e.target.dataset.i];
        if (!o) return;
        slot.selected_option = o; target.value = o.text.text; box.innerHTML = "";
        if (def.dispatch_action) {
          api("/api/slack/view/action", { view_id: state.modal.view.id, values: ui.values, action: { type: "external_select", action_id: action, block_id: block, selected_option: o } }).then(poll);
        }
      };
    }, 250);
    return;
  }
  if (slot.type === "plain_text_input") {
    slot.value = target.value;
    if (def.dispatch_action) {
      clearTimeout(typingTimer);
      const viewId = state.modal.view.id, values = ui.values;  // the window typed in
      // A refusal means that window is no longer in front: the refresh is moot, not an error.
      typingTimer = setTimeout(() => api("/api/slack/view/action", { view_id: viewId, values,
        action: { type: "plain_text_input", action_id: action, block_id: block, value: target.value } }).then(poll, poll), 500);
    }
  } else {
    const el = def.element;
    slot.selected_option = el.options.find((o) => o.value === target.value) || null;
  }
}

// -- actions --------------------------------------------------------------------------------

async function act(promise) {
  try { await promise; } catch (e) { alert(e.message); }
  poll();
}

function readPicture(file) {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ type: file.type, data: String(reader.result).split(",")[1] });
    reader.readAsDataURL(file);
  });
}

$("sms-form").onsubmit = async (e) => {
  e.preventDefault();
  const body = $("sms-text").value;
  const file = $("picture").files[0];
  const picture = file ? await readPicture(file) : null;
  if (!body.trim() && !picture) return;
  $("sms-text").value = ""; $("picture").value = ""; $("picked").textContent = "";
  act(api("/api/phone/text", { from: ui.customer, to: ui.business, body, picture }));
};
$("picture").onchange = () => { $("picked").textContent = $("picture").files[0] ? `📎 ${$("picture").files[0].name}` : ""; };
$("customer").onchange = () => { ui.customer = $("customer").value; renderPhone(); };
$("business").onchange = () => { ui.business = $("business").value; };
$("member").onchange = () => { ui.member = $("member").value; renderSlack(); };
$("channels").onclick = (e) => {
  const c = e.target.closest("[data-channel]");
  if (c) { ui.channel = c.dataset.channel; ui.thread = null; renderSlack(); }
};
document.body.addEventListener("click", (e) => {
  const replies = e.target.closest("[data-thread]");
  if (replies) { ui.thread = replies.dataset.thread; renderSlack(); return; }
  const btn = e.target.closest("[data-click]");
  if (!btn) return;
  const where = JSON.parse(btn.dataset.click);
  if (where.view) {
    clearTimeout(typingTimer);  // the window may change under a pending live refresh
    act(api("/api/slack/view/action", { view_id: state.modal.view.id, values: ui.values, action: where.action }));
  } else {
    act(api("/api/slack/click", { user: ui.member, channel: where.channel, ts: where.ts, action: where.action }));
  }
});
$("thread-close").onclick = () => { ui.thread = null; renderSlack(); };
$("thread-form").onsubmit = (e) => {
  e.preventDefault();
  const text = $("thread-text").value;
  if (!text.trim()) return;
  $("thread-text").value = "";
  act(api("/api/slack/say", { user: ui.member, channel: ui.channel, thread_ts: ui.thread, text }));
};
$("channel-form").onsubmit = (e) => {
  e.preventDefault();
  const text = $("channel-text").value.trim();
  if (!text) return;
  $("channel-text").value = "";
  const command = text.match(/^\/sms\b\s*(.*)$/s);
  act(command ? api("/api/slack/command", { user: ui.member, channel: ui.channel, text: command[1] })
    : api("/api/slack/say", { user: ui.member, channel: ui.channel, text }));
};
$("modal-form").addEventListener("input", (e) => modalInput(e.target));
$("modal-form").addEventListener("change", (e) => { if (!e.target.dataset.external) modalInput(e.target); });
$("modal-form").onsubmit = (e) => {
  e.preventDefault();
  clearTimeout(typingTimer);  // a pending live refresh would land on a closed window
  act(api("/api/slack/view/submit", { view_id: state.modal.view.id, values: ui.values }));
};
$("modal-form").addEventListener("click", (e) => {
  if (e.target.id === "modal-cancel") clearTimeout(typingTimer);
  if (e.target.id === "modal-cancel") act(api("/api/slack/view/close", {}));
});

async function poll() {
  try {
    state = await api("/api/state");
    render();
  } catch (e) {
    $("channel-head").textContent = `sandbox unreachable: ${e.message}`;
  }
}
poll();
setInterval(poll, 700);
