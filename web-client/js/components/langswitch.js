// Language switch kk / ru / en: three buttons, the current one pressed. Names are written natively.
import { h } from '../dom.js';
import { LANGUAGES, getLanguage, t } from '../i18n.js';

export function mountLanguageSwitch(root, { onChoose }) {
  const buttons = LANGUAGES.map((lang) => h('button', {
    type: 'button', class: 'lang-button', lang, 'data-testid': `lang-${lang}`,
    i18n: `lang.${lang}`, onclick: () => onChoose(lang),
  }));
  const group = h('div', { class: 'lang-switch', role: 'group', i18nLabel: 'lang.label', 'data-testid': 'lang-switch' }, buttons);
  root.append(group);
  return {
    render() {
      for (const b of buttons) {
        b.setAttribute('aria-pressed', String(b.lang === getLanguage()));
        b.textContent = t(`lang.${b.lang}`);
      }
      group.setAttribute('aria-label', t('lang.label'));
    },
  };
}
