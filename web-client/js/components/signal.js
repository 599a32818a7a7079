// A discreet "I need a pause" signal: seen only by the mediators, not by anyone on either side.
import { h, setText } from '../dom.js';
import { t } from '../i18n.js';
import { me } from '../state.js';

export function mountSignal(root, { onSignal }) {
  const open = h('button', { type: 'button', class: 'quiet signal-open', 'data-testid': 'signal-open', 'aria-expanded': 'false', 'aria-controls': 'signal-form', i18n: 'signal.open' });
  const text = h('textarea', { id: 'signal-text', rows: '2', class: 'signal-text', 'data-testid': 'signal-text', i18nPlaceholder: 'signal.placeholder', maxlength: '500' });
  const sendBtn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'signal-send', i18n: 'signal.send' });
  const cancel = h('button', { type: 'button', class: 'quiet', 'data-testid': 'signal-cancel', i18n: 'signal.cancel' });
  const form = h('form', { id: 'signal-form', class: 'signal-form', hidden: true },
    h('p', { class: 'signal-explain', i18n: 'signal.explain' }),
    h('label', { for: 'signal-text', class: 'small-label', i18n: 'signal.text_label' }), text,
    h('div', { class: 'button-row' }, sendBtn, cancel));
  const sent = h('p', { class: 'signal-sent', 'data-testid': 'signal-sent', role: 'status', tabindex: '-1', hidden: true });
  const box = h('div', { class: 'signal', 'data-testid': 'signal' }, open, form, sent);
  root.append(box);

  function toggle(show) {
    form.hidden = !show;
    open.setAttribute('aria-expanded', String(show));
    if (show) { sent.hidden = true; text.focus(); }
  }
  open.addEventListener('click', () => toggle(form.hidden));
  cancel.addEventListener('click', () => { toggle(false); open.focus(); });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    onSignal(text.value.trim());
    text.value = '';
    toggle(false);
    sent.hidden = false;
    setText(sent, t('signal.sending'));
    sent.focus();
  });

  return {
    render({ state, ui, pending }) {
      const m = me(state);
      box.hidden = !m || (m.role !== 'party' && m.role !== 'advisor') || m.state !== 'admitted' || state.room?.state === 'ended';
      const waiting = pending.some((p) => p.type === 'signal_mediator');
      if (!sent.hidden) setText(sent, waiting ? t('signal.sending') : t('signal.sent'));
      sent.dataset.confirmed = String(!waiting && ui.signalAcked);
    },
  };
}
