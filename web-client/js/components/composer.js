// Writing a message. When sending is not possible the composer says why (not your turn, muted,
// paused, in the lobby, ended...) instead of failing silently. People may still type ahead while
// waiting for their turn; only the send button waits.
import { h, setText } from '../dom.js';
import { t, tKey, formatNumber } from '../i18n.js';
import { JOINT, me, speakStatus, codePoints, channelItems } from '../state.js';
import { displayName } from './people.js';

const MAX_CHARS = 8000;

export function mountComposer(root, { onSend, onCancelTranslate }) {
  const label = h('label', { for: 'composer-input', class: 'visually-hidden', i18n: 'composer.label' });
  const input = h('textarea', {
    id: 'composer-input', class: 'composer-input', rows: '3', 'data-testid': 'composer-input',
    i18nPlaceholder: 'composer.placeholder', 'aria-describedby': 'composer-reason composer-hint',
  });
  const translating = h('div', { class: 'composer-translating', 'data-testid': 'composer-translating', hidden: true },
    h('span', { class: 'translating-text' }),
    h('button', { type: 'button', class: 'link-button', 'data-testid': 'composer-cancel-translate', i18n: 'composer.cancel_translate', onclick: () => onCancelTranslate() }));
  const shareable = h('input', { type: 'checkbox', id: 'composer-shareable', 'data-testid': 'composer-shareable' });
  const shareRow = h('div', { class: 'check-row composer-share', hidden: true }, shareable,
    h('label', { for: 'composer-shareable', i18n: 'composer.shareable' }));
  const reason = h('p', { id: 'composer-reason', class: 'composer-reason', 'data-testid': 'composer-reason', role: 'status' });
  const hint = h('p', { id: 'composer-hint', class: 'composer-hint', i18n: 'composer.hint' });
  const counter = h('span', { class: 'composer-counter', 'data-testid': 'composer-counter', hidden: true });
  const send = h('button', { type: 'submit', class: 'primary composer-send', 'data-testid': 'composer-send', i18n: 'composer.send' });
  const form = h('form', { class: 'composer', 'data-testid': 'composer', novalidate: true },
    translating, label, input, shareRow, h('div', { class: 'composer-bar' }, reason, counter, send), hint);
  root.append(form);

  const drafts = new Map();
  let channel = JOINT;
  let status = { ok: false };
  let translatesSeq = null;

  function tooLong() { return codePoints(input.value) > MAX_CHARS; }

  function refreshSend() {
    const text = input.value.trim();
    send.disabled = !status.ok || text.length === 0 || tooLong();
    const n = codePoints(input.value);
    counter.hidden = n < MAX_CHARS - 1000;
    setText(counter, t('composer.counter', { count: formatNumber(n), max: formatNumber(MAX_CHARS) }));
    counter.classList.toggle('over', n > MAX_CHARS);
  }

  function submit() {
    refreshSend();
    if (send.disabled) return;
    const fields = { channel, text: input.value.trim() };
    if (channel !== JOINT && !shareRow.hidden && shareable.checked) fields.shareable = true;
    if (translatesSeq != null && channel === JOINT) fields.translates = translatesSeq;
    onSend(fields);
    input.value = '';
    shareable.checked = false;
    drafts.set(channel, '');
    refreshSend();
    input.focus();
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit(); });
  input.addEventListener('input', () => { drafts.set(channel, input.value); refreshSend(); });
  input.addEventListener('keydown', (ev) => {
    // Enter sends, Shift+Enter starts a new line; IME composition (e.g. Kazakh layouts) is left alone.
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); submit(); }
  });

  return {
    render({ state, ui }) {
      if (ui.channel !== channel) {
        drafts.set(channel, input.value);
        channel = ui.channel;
        input.value = drafts.get(channel) ?? '';
      }
      status = speakStatus(state, channel);
      const m = me(state);
      input.disabled = !status.ok && !status.composeOnly;
      form.dataset.reason = status.reason ?? '';
      reason.dataset.reason = status.reason ?? '';
      setText(reason, status.ok ? '' : tKey('reason', status.reason, 'reason.connecting'));
      reason.hidden = status.ok;
      shareRow.hidden = channel === JOINT || !m || (m.role !== 'party' && m.role !== 'advisor');
      translatesSeq = channel === JOINT ? ui.translating : null;
      translating.hidden = translatesSeq == null;
      if (translatesSeq != null) {
        const original = channelItems(state, JOINT).find((it) => it.type === 'message' && it.entry.seq === translatesSeq);
        const who = original ? displayName(state, original.entry.actor) : '';
        const snippet = original ? original.entry.text.slice(0, 80) : '';
        setText(translating.firstChild, t('composer.translating', { name: who, text: snippet }));
      }
      input.setAttribute('placeholder', channel === JOINT ? t('composer.placeholder') : t('composer.placeholder_caucus'));
      refreshSend();
    },
    focus() { input.focus(); },
  };
}
