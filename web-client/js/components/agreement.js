// The agreement: the current draft with its version, who has signed it, and (for parties) a
// button to sign exactly the version on screen.
import { h, reconcile, setText } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { agreementView, parseTime, participantById } from '../state.js';
import { displayName, personBadge } from './people.js';

export function mountAgreement(root, { onSign }) {
  const heading = h('h2', { class: 'panel-title', id: 'agreement-heading', i18n: 'agreement.heading' });
  const version = h('p', { class: 'agreement-version', 'data-testid': 'agreement-version' });
  const text = h('div', { class: 'agreement-text', 'data-testid': 'agreement-text', tabindex: '0' });
  const none = h('p', { class: 'muted-text', 'data-testid': 'agreement-none', i18n: 'agreement.none' });
  const sigHeading = h('h3', { class: 'floor-subtitle', i18n: 'agreement.signatures' });
  const sigs = h('ul', { class: 'signatures', 'data-testid': 'agreement-signatures' });
  const waitingFor = h('p', { class: 'muted-text', 'data-testid': 'agreement-waiting' });
  const sign = h('button', { type: 'button', class: 'primary', 'data-testid': 'sign-agreement', i18n: 'agreement.sign' });
  const signNote = h('p', { class: 'agreement-sign-note', i18n: 'agreement.sign_note' });
  const signedNote = h('p', { class: 'agreement-signed', 'data-testid': 'agreement-signed-note', role: 'status' });
  const body = h('div', { class: 'agreement-body' }, version, text, sigHeading, sigs, waitingFor, signNote, sign, signedNote);
  const panel = h('section', { class: 'agreement-panel card', 'data-testid': 'agreement-panel', 'aria-labelledby': 'agreement-heading' }, heading, none, body);
  root.append(panel);
  let shownVersion = 0;
  sign.addEventListener('click', () => { if (shownVersion > 0) onSign(shownVersion); });

  return {
    render({ state, pending }) {
      const a = agreementView(state);
      if (!a) return;
      none.hidden = a.version > 0;
      body.hidden = a.version === 0;
      shownVersion = a.version;
      panel.dataset.version = String(a.version);
      setText(version, t('agreement.version', { version: a.version }));
      setText(text, a.text);
      reconcile(sigs, a.signatures, (s) => s.participant,
        (s) => h('li', { 'data-participant': s.participant }, h('span', { class: 'sig-name' }), h('span', { class: 'sig-badge' }), h('span', { class: 'sig-time' })),
        (li, s) => {
          setText(li.children[0], `✓ ${displayName(state, s.participant)}`);
          li.children[1].replaceChildren(personBadge(participantById(state, s.participant)));
          setText(li.children[2], formatDateTime(parseTime(s.at)));
        });
      sigHeading.hidden = a.signatures.length === 0;
      const names = a.pending.map((p) => p.name).join(', ');
      waitingFor.hidden = a.pending.length === 0;
      setText(waitingFor, t('agreement.waiting_for', { names }));
      const signing = pending.some((p) => p.type === 'sign_agreement' && p.version === a.version);
      sign.hidden = !a.canSign;
      signNote.hidden = !a.canSign;
      sign.disabled = signing;
      setText(sign, t('agreement.sign_version', { version: a.version }));
      signedNote.hidden = !a.signedByMe;
      setText(signedNote, t('agreement.signed_by_you', { version: a.version }));
    },
  };
}
