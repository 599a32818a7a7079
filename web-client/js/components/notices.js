// Two voices: a polite live region that announces new messages and floor changes to screen
// readers, and a dismissible alert for refused commands and failures.
import { h } from '../dom.js';
import { t, onLanguageChange } from '../i18n.js';

export function mountNotices(liveRoot, alertRoot) {
  const live = h('div', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'false', 'data-testid': 'live-region' });
  liveRoot.append(live);
  const text = h('p', { class: 'alert-text', 'data-testid': 'error-text' });
  const close = h('button', { type: 'button', class: 'alert-close', i18n: 'alert.dismiss', 'data-testid': 'error-dismiss' });
  const box = h('div', { class: 'alert', role: 'alert', 'data-testid': 'error-banner', hidden: true }, text, close);
  alertRoot.append(box);
  let timer = null;
  let wording = null;  // the shown alert's text, as a function so it can follow a language switch
  close.addEventListener('click', () => { box.hidden = true; });
  onLanguageChange(() => {
    // What was announced has been spoken; lines in the old language would only linger in the
    // screen reader's buffer. The alert on screen is re-worded in the new language.
    live.replaceChildren();
    if (wording) text.textContent = wording();
  });

  return {
    /** Adds a line for screen readers; old lines are trimmed so the region stays small. */
    announce(message) {
      const line = h('p', { text: message });
      live.append(line);
      while (live.childElementCount > 5) live.firstElementChild.remove();
    },
    /**
     * message: a function returning the text in the current language (or a fixed string).
     * kind: 'error' (a refused command, a failure) or 'signal' (a private pause request, for mediators).
     */
    alert(message, code, kind = 'error') {
      wording = typeof message === 'function' ? message : () => message;
      text.textContent = wording();
      box.dataset.code = code ?? '';
      box.dataset.kind = kind;
      box.dataset.testid = kind === 'signal' ? 'signal-banner' : 'error-banner';
      box.hidden = false;
      close.textContent = t('alert.dismiss');
      clearTimeout(timer);
      timer = setTimeout(() => { box.hidden = true; }, 12000);
    },
  };
}
