// The lobby: the room's ground rules and the recording/confidentiality notice to accept,
// then a calm "waiting for the mediator to admit you".
import { h, setText } from '../dom.js';
import { t } from '../i18n.js';
import { me } from '../state.js';

export function mountLobby(root, { onAccept }) {
  const title = h('h1', { class: 'lobby-title', i18n: 'lobby.title' });
  const greeting = h('p', { class: 'lobby-greeting', 'data-testid': 'lobby-greeting' });
  const rulesHeading = h('h2', { i18n: 'lobby.rules_heading' });
  const rules = h('div', { class: 'lobby-rules', 'data-testid': 'lobby-rules' });
  const noticeHeading = h('h2', { i18n: 'lobby.notice_heading' });
  const notice = h('ul', { class: 'lobby-notice', 'data-testid': 'lobby-notice' },
    h('li', { i18n: 'lobby.notice_recording' }),
    h('li', { i18n: 'lobby.notice_confidential' }),
    h('li', { i18n: 'lobby.notice_caucus' }),
    h('li', { i18n: 'lobby.notice_pause' }));
  const checkbox = h('input', { type: 'checkbox', id: 'lobby-consent', 'data-testid': 'lobby-consent' });
  const checkLabel = h('label', { for: 'lobby-consent', i18n: 'lobby.consent' });
  const accept = h('button', { type: 'button', class: 'primary', 'data-testid': 'lobby-accept', i18n: 'lobby.accept', disabled: true });
  const consentBox = h('div', { class: 'lobby-consent' }, h('div', { class: 'check-row' }, checkbox, checkLabel), accept);
  const waiting = h('div', { class: 'lobby-waiting', 'data-testid': 'lobby-waiting', role: 'status', tabindex: '-1', hidden: true },
    h('span', { class: 'waiting-mark', 'aria-hidden': 'true' }),
    h('p', { class: 'waiting-main', i18n: 'lobby.waiting' }),
    h('p', { class: 'waiting-hint', i18n: 'lobby.waiting_hint' }));
  const section = h('div', { class: 'lobby card', 'data-testid': 'lobby' },
    title, greeting, rulesHeading, rules, noticeHeading, notice, consentBox, waiting);
  root.append(section);

  let sending = false;
  checkbox.addEventListener('change', () => { accept.disabled = !checkbox.checked || sending; });
  accept.addEventListener('click', () => {
    if (!checkbox.checked) return;
    sending = true;
    accept.disabled = true;
    onAccept();
  });

  return {
    render({ state, pending }) {
      const m = me(state);
      if (!m || !state.room) return;
      setText(greeting, t('lobby.greeting', { name: m.name, title: state.room.title }));
      setText(rules, state.room.rules || t('lobby.no_rules'));
      const accepted = m.rules_accepted;
      sending = pending.some((p) => p.type === 'accept_rules');
      const focusWasInside = consentBox.contains(document.activeElement);
      consentBox.hidden = accepted;
      waiting.hidden = !accepted;
      accept.disabled = !checkbox.checked || sending;
      // Keep keyboard users in place when the consent form gives way to the waiting note.
      if (accepted && focusWasInside) waiting.focus();
    },
  };
}
