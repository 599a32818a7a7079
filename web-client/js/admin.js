// The administrator page: token (this tab only), create rooms, issue/revoke invitations with
// copyable links, list rooms with their state, close, and download transcripts.
import { applyTranslations, has, LANGUAGES, LANGUAGE_KEY, onLanguageChange, pickLanguage, setLanguage, t, tKey, formatNumber } from './i18n.js';
import { createAdminApi, absoluteInviteUrl, exportFileName } from './admin-api.js';
import { mountLanguageSwitch } from './components/langswitch.js';
import { mountNotices } from './components/notices.js';
import { h, reconcile, setText, armed } from './dom.js';

const TOKEN_KEY = 'kelisim.adminToken';
const $ = (id) => document.getElementById(id);
function storageGet(store, key) { try { return store.getItem(key); } catch { return null; } }
function storageSet(store, key, value) { try { store.setItem(key, value); } catch { /* private mode */ } }

setLanguage(pickLanguage({ stored: storageGet(localStorage, LANGUAGE_KEY), browserLanguages: navigator.languages ?? [navigator.language] }));
applyTranslations(document);

const notices = mountNotices($('live'), $('alerts'));
const languageSwitch = mountLanguageSwitch($('lang'), {
  onChoose(lang) { storageSet(localStorage, LANGUAGE_KEY, lang); setLanguage(lang); },
});

let adminToken = storageGet(sessionStorage, TOKEN_KEY) ?? '';
const api = createAdminApi({ getToken: () => adminToken });
let rooms = [];
let selectedId = null;
let invites = [];
let tokenOk = null;           // null unknown, true accepted, false rejected
const linksThisSession = new Map();  // invite_id -> link (tokens are shown once by the server)
let lastInvite = null;

function errorText(err) {
  if (err?.status === 401 || err?.code === 'unauthorized') return t('admin.token_rejected');
  // The server answers 429 only to bad tokens, once an address has sent too many of them.
  if (err?.status === 429) return t('admin.too_many_refusals');
  if (err?.code === 'network') return t('error.network');
  if (err?.code && has(`error.${err.code}`)) return t(`error.${err.code}`);
  return err?.message || t('error.internal');
}

function fail(err) {
  if (err?.status === 401 || err?.status === 429) { tokenOk = false; render(); }
  notices.alert(() => errorText(err), err?.code);
}

function languageName(code) {
  return LANGUAGES.includes(code) ? t(`lang.${code}`) : String(code ?? '');
}

function countOf(value) {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return 0;
}

async function loadRooms() {
  rooms = await api.listRooms();
  tokenOk = true;
}

async function refresh() {
  try {
    await loadRooms();
    if (selectedId) invites = await api.listInvites(selectedId);
  } catch (err) { fail(err); }
  render();
}

async function selectRoom(id) {
  selectedId = id;
  lastInvite = null;
  invites = [];
  render();
  try { invites = await api.listInvites(id); } catch (err) { fail(err); }
  render();
  $('detail-heading').focus();
}

// ---- token
$('token-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const value = $('admin-token').value.trim();
  if (!value) return;
  adminToken = value;
  storageSet(sessionStorage, TOKEN_KEY, value);
  $('admin-token').value = '';
  await refresh();
});
$('token-forget').addEventListener('click', () => {
  adminToken = '';
  try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* ignore */ }
  $('admin-token').value = '';
  tokenOk = null; rooms = []; selectedId = null; invites = [];
  render();
  $('admin-token').focus();
});

// ---- create room
$('create-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const title = $('room-title').value.trim();
  if (!title) { $('room-title').focus(); return; }
  const fields = {
    title,
    language: $('room-language').value,
    turn_mode: $('room-mode').value,
    turn_seconds: Math.max(0, Math.min(3600, Math.round(Number($('room-seconds').value) || 0))),
  };
  const rules = $('room-rules').value.trim();
  if (rules) fields.rules = rules;
  try {
    const room = await api.createRoom(fields);
    notices.announce(t('admin.created', { title }));
    $('create-form').reset();
    await loadRooms();
    if (room?.id) await selectRoom(room.id);
    else render();
  } catch (err) { fail(err); }
});
$('rooms-refresh').addEventListener('click', refresh);

// ---- invitations
function syncSideField() {
  const role = $('invite-role').value;
  $('invite-side-field').hidden = !(role === 'party' || role === 'advisor');
}
$('invite-role').addEventListener('change', syncSideField);
$('invite-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const name = $('invite-name').value.trim();
  if (!name || !selectedId) { $('invite-name').focus(); return; }
  const role = $('invite-role').value;
  const fields = { role, name };
  const side = $('invite-side').value.trim();
  if ((role === 'party' || role === 'advisor') && side) fields.side = side;
  try {
    const made = await api.createInvite(selectedId, fields);
    const link = absoluteInviteUrl(made.url, made.token, location.origin);
    linksThisSession.set(made.invite_id, link);
    lastInvite = { id: made.invite_id, name, link };
    $('invite-name').value = '';
    invites = await api.listInvites(selectedId);
    render();
    $('invite-link').focus();
    $('invite-link').select();
  } catch (err) { fail(err); }
});

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (e.g. plain HTTP): select the text so Ctrl+C works.
    $('invite-link').focus();
    $('invite-link').select();
    return false;
  }
}
$('invite-copy').addEventListener('click', async () => {
  if (!lastInvite) return;
  const ok = await copy(lastInvite.link);
  setText($('copy-state'), ok ? t('admin.copied') : t('admin.copy_manual'));
});

// ---- export
$('export-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const room = rooms.find((r) => r.id === selectedId) ?? { id: selectedId };
  const format = $('export-format').value;
  const scope = $('export-scope').value;
  try {
    const res = await api.transcript(selectedId, format, scope);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: exportFileName(room, format, scope), hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    notices.announce(t('admin.downloaded'));
  } catch (err) { fail(err); }
});

// ---- close
armed($('room-close'), 'admin.close_confirm', 'admin.close', async () => {
  if (!selectedId) return;
  try {
    await api.closeRoom(selectedId);
    notices.announce(t('admin.closed'));
    await refresh();
  } catch (err) { fail(err); }
});

// ---- render
function render() {
  languageSwitch.render();
  const state = $('token-state');
  state.dataset.ok = String(tokenOk === true);
  setText(state, tokenOk === true ? t('admin.token_ok') : tokenOk === false ? t('admin.token_rejected') : (adminToken ? t('admin.token_checking') : t('admin.token_missing')));
  $('admin-work').hidden = tokenOk !== true;

  $('rooms-empty').hidden = rooms.length > 0;
  reconcile($('rooms-list'), rooms, (r) => r.id,
    (r) => h('li', { class: 'room-row', 'data-testid': `room-row-${r.id}`, 'data-room': r.id },
      h('span', { class: 'room-row-title' }),
      h('span', { class: 'room-row-meta' }, h('span', { class: 'state-pill' }), h('span', { class: 'room-row-facts' })),
      h('div', { class: 'button-row' }, h('button', { type: 'button', 'data-testid': `room-open-${r.id}`, onclick: () => selectRoom(r.id) }))),
    (li, r) => {
      setText(li.children[0], r.title || r.id);
      const pill = li.children[1].children[0];
      pill.dataset.state = r.state ?? '';
      setText(pill, tKey('roomstate', r.state, 'roomstate.scheduled'));
      setText(li.children[1].children[1], ` ${languageName(r.language)} · ${t('admin.participants_count', { count: formatNumber(countOf(r.participants)) })}`);
      li.dataset.state = r.state ?? '';
      li.setAttribute('aria-current', String(r.id === selectedId));
      const btn = li.children[2].children[0];
      setText(btn, t('admin.manage'));
      btn.setAttribute('aria-label', t('admin.manage_room', { title: r.title || r.id }));
    });

  const room = rooms.find((r) => r.id === selectedId);
  $('room-detail').hidden = !selectedId;
  if (selectedId) {
    setText($('detail-heading'), room?.title || selectedId);
    $('room-detail').dataset.room = selectedId;
    $('room-detail').dataset.state = room?.state ?? '';
    setText($('detail-meta'), room ? `${tKey('roomstate', room.state, 'roomstate.scheduled')} · ${languageName(room.language)}` : '');
    $('room-close').hidden = room?.state === 'ended';
  }
  syncSideField();

  $('invite-result').hidden = !lastInvite;
  if (lastInvite) {
    $('invite-link').value = lastInvite.link;
    setText($('invite-link-label'), t('admin.invite_link_for', { name: lastInvite.name }));
  }
  $('invites-empty').hidden = invites.length > 0;
  reconcile($('invites-list'), invites, (i) => i.invite_id,
    (i) => {
      const revoke = h('button', { type: 'button', class: 'danger', 'data-testid': `invite-revoke-${i.invite_id}`, i18n: 'admin.revoke' });
      armed(revoke, 'admin.revoke_confirm', 'admin.revoke', async () => {
        try { await api.revokeInvite(selectedId, i.invite_id); invites = await api.listInvites(selectedId); render(); } catch (err) { fail(err); }
      });
      const copyBtn = h('button', { type: 'button', 'data-testid': `invite-copy-${i.invite_id}`, i18n: 'admin.copy' });
      copyBtn.addEventListener('click', async () => {
        const link = linksThisSession.get(i.invite_id);
        if (!link) return;
        const ok = await copy(link);
        notices.announce(ok ? t('admin.copied') : t('admin.copy_manual'));
      });
      return h('li', { class: 'invite-row', 'data-testid': `invite-row-${i.invite_id}` },
        h('div', {}, h('span', { class: 'invite-name' }), h('span', { class: 'invite-meta' })),
        h('div', { class: 'button-row' }, copyBtn, revoke));
    },
    (li, i) => {
      setText(li.children[0].children[0], i.name);
      const side = i.side ? ` · ${t('side.label', { side: i.side })}` : '';
      setText(li.children[0].children[1], ` — ${tKey('role', i.role, 'role.party')}${side} · ${i.revoked ? t('admin.revoked') : t('admin.active')}`);
      li.dataset.revoked = String(!!i.revoked);
      const [copyBtn, revoke] = li.children[1].children;
      copyBtn.hidden = !linksThisSession.has(i.invite_id) || !!i.revoked;
      revoke.hidden = !!i.revoked;
      revoke.setAttribute('aria-label', t('admin.revoke_name', { name: i.name }));
      copyBtn.setAttribute('aria-label', t('admin.copy_name', { name: i.name }));
    });
}

onLanguageChange(() => { applyTranslations(document); render(); });
render();
if (adminToken) refresh();
