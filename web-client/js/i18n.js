// Dictionaries, the current language, and localised formatting. Every string a person reads
// comes through t(); the three dictionaries have exactly the same keys (tested).
import kk from './i18n/kk.js';
import ru from './i18n/ru.js';
import en from './i18n/en.js';

export const dictionaries = { kk, ru, en };
export const LANGUAGES = ['kk', 'ru', 'en'];
const LOCALES = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' };
export const LANGUAGE_KEY = 'kelisim.lang';

let current = 'en';
const listeners = new Set();

export function getLanguage() { return current; }
export function locale() { return LOCALES[current]; }

export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang) || lang === current) return;
  current = lang;
  for (const fn of listeners) fn(lang);
}

export function onLanguageChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

/** The person's stored choice, else the room's language, else the browser's, else English. */
export function pickLanguage({ stored, roomLanguage, browserLanguages = [] }) {
  if (LANGUAGES.includes(stored)) return stored;
  if (LANGUAGES.includes(roomLanguage)) return roomLanguage;
  for (const tag of browserLanguages) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

/** Looks a key up; `{name}` placeholders are filled from params. Missing keys show the key (tests forbid that). */
export function t(key, params) {
  const raw = dictionaries[current][key] ?? dictionaries.en[key] ?? key;
  if (!params) return raw;
  return raw.replace(/\{(\w+)\}/g, (m, name) => (params[name] == null ? m : String(params[name])));
}

/** t() for a key built at run time from a closed set (roles, error codes...), with a fallback key. */
export function tKey(prefix, value, fallbackKey, params) {
  const key = `${prefix}.${value}`;
  return dictionaries[current][key] != null ? t(key, params) : t(fallbackKey, params);
}

export function has(key) { return dictionaries[current][key] != null; }

/** Fills every data-i18n* attribute under root: text, placeholder, aria-label, title. */
export function applyTranslations(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.setAttribute('title', t(el.dataset.i18nTitle));
  if (root.documentElement) root.documentElement.lang = current;
}

export function formatTime(ms) {
  if (ms == null || Number.isNaN(ms)) return '';
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

// Some browser builds ship ICU without Kazakh data and would print "2026 M11 26": then the
// date is assembled from the dictionary's month names instead.
// (Such builds still *report* the locale as supported; the tell is a month "name" made of digits.)
const monthNamesWork = {};
function intlKnows(lang) {
  if (!(lang in monthNamesWork)) {
    try {
      const fmt = new Intl.DateTimeFormat(LOCALES[lang], { month: 'long' });
      monthNamesWork[lang] = fmt.resolvedOptions().locale.split('-')[0] === lang && !/\d/.test(fmt.format(new Date(2026, 10, 26)));
    } catch {
      monthNamesWork[lang] = false;
    }
  }
  return monthNamesWork[lang];
}

export function formatDateTime(ms) {
  if (ms == null || Number.isNaN(ms)) return '';
  const d = new Date(ms);
  if (!intlKnows(current)) {
    return t('date.pattern', { year: d.getFullYear(), day: d.getDate(), month: t(`date.month_${d.getMonth() + 1}`), time: formatTime(ms) });
  }
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

export function formatNumber(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

/** "2:05" for a countdown. */
export function formatClock(ms) {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** "3 min 20 s" in the current language, for talk-time figures. */
export function formatDuration(ms) {
  const total = Math.round(Math.max(0, ms) / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m > 0 ? t('duration.min_sec', { m: formatNumber(m), s: formatNumber(s) }) : t('duration.sec', { s: formatNumber(s) });
}
