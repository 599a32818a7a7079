import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dictionaries, LANGUAGES, pickLanguage, setLanguage, t, formatClock, formatDuration, formatDateTime } from '../js/i18n.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function filesUnder(dir, ext) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'tests' && name !== 'i18n' && name !== 'node_modules') out.push(...filesUnder(p, ext)); }
    else if (p.endsWith(ext)) out.push(p);
  }
  return out;
}

test('kk, ru and en have exactly the same keys', () => {
  const en = Object.keys(dictionaries.en).sort();
  for (const lang of LANGUAGES) {
    const keys = Object.keys(dictionaries[lang]).sort();
    const missing = en.filter((k) => !keys.includes(k));
    const extra = keys.filter((k) => !en.includes(k));
    assert.deepEqual({ lang, missing, extra }, { lang, missing: [], extra: [] });
  }
});

test('no dictionary has an empty value, and placeholders match across languages', () => {
  const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const lang of LANGUAGES) {
    for (const [k, v] of Object.entries(dictionaries[lang])) {
      assert.equal(typeof v, 'string', `${lang}:${k}`);
      assert.ok(v.trim().length > 0, `${lang}:${k} is empty`);
      assert.deepEqual(holes(v), holes(dictionaries.en[k]), `${lang}:${k} placeholders`);
    }
  }
});

test('Kazakh and Russian are really translated (not English copies)', () => {
  let kkSame = 0;
  let ruSame = 0;
  for (const k of Object.keys(dictionaries.en)) {
    if (k.startsWith('lang.') || k.startsWith('announce.message') || k === 'app.name' || k === 'actor.system') continue;
    if (dictionaries.kk[k] === dictionaries.en[k]) kkSame += 1;
    if (dictionaries.ru[k] === dictionaries.en[k]) ruSame += 1;
  }
  assert.deepEqual({ kkSame, ruSame }, { kkSame: 0, ruSame: 0 });
  assert.match(dictionaries.kk['floor.raise'], /[әғқңөұүһі]/i);
  assert.match(dictionaries.ru['floor.raise'], /[а-яё]/i);
});

test('every key used in the HTML and JS exists in the dictionaries', () => {
  const used = new Map();
  const note = (key, file) => { if (!used.has(key)) used.set(key, file); };
  for (const file of filesUnder(root, '.html')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) note(m[1], file);
  }
  for (const file of filesUnder(join(root, 'js'), '.js')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*['"]([^'"]+)['"]/g)) note(m[1], file);
    for (const m of text.matchAll(/\bi18n(?:Label|Placeholder)?\s*:\s*['"]([^'"]+)['"]/g)) note(m[1], file);
    for (const m of text.matchAll(/\barmed\([^,]+,\s*['"]([^'"]+)['"],\s*['"]([^'"]+)['"]/g)) { note(m[1], file); note(m[2], file); }
    for (const m of text.matchAll(/\btKey\([^,]+,[^,]+,\s*['"]([^'"]+)['"]/g)) note(m[1], file);
  }
  assert.ok(used.size > 150, `found only ${used.size} keys: the scanner is broken`);
  const missing = [...used].filter(([k]) => dictionaries.en[k] == null).map(([k, f]) => `${k} (${f.slice(root.length)})`);
  assert.deepEqual(missing, []);
});

test('the HTML files have no inline scripts or inline styles (CSP: self only)', () => {
  for (const file of filesUnder(root, '.html')) {
    const text = readFileSync(file, 'utf8');
    assert.ok(!/\sstyle\s*=/.test(text), `${file} has style=""`);
    assert.ok(!/<style/i.test(text), `${file} has <style>`);
    for (const m of text.matchAll(/<script\b([^>]*)>/gi)) assert.match(m[1], /\ssrc="/, `${file} has an inline <script>`);
    assert.ok(!/\son[a-z]+\s*=/.test(text), `${file} has an inline event handler`);
    assert.ok(!/https?:\/\//.test(text), `${file} loads something from another origin`);
  }
  for (const file of filesUnder(join(root, 'js'), '.js')) {
    const text = readFileSync(file, 'utf8');
    assert.ok(!/setAttribute\(\s*['"]style['"]/.test(text), `${file} sets a style attribute`);
    assert.ok(!/console\.(log|info|debug)\([^)]*token/i.test(text), `${file} may log a token`);
  }
});

test('keys built at run time from protocol vocabularies all exist', () => {
  const families = {
    role: ['mediator', 'party', 'advisor', 'interpreter', 'observer'],
    mode: ['open', 'moderated', 'round'],
    modename: ['open', 'moderated', 'round'],
    roomstate: ['scheduled', 'lobby', 'in_session', 'paused', 'ended'],
    pstate: ['lobby', 'admitted', 'removed'],
    status: ['connecting', 'online', 'reconnecting', 'offline', 'stopped'],
    stopped: ['unauthorized', 'token_expired', 'token_revoked', 'unsupported_version', 'removed'],
    reason: ['connecting', 'lobby', 'removed', 'ended', 'observer', 'muted', 'paused', 'not_member', 'caucus_closed', 'not_your_turn'],
    lang: LANGUAGES,
    error: ['bad_message', 'unknown_type', 'invalid_field', 'unauthorized', 'token_expired', 'token_revoked', 'forbidden',
      'not_admitted', 'not_your_turn', 'muted', 'not_a_member', 'room_paused', 'room_ended', 'rate_limited', 'too_large',
      'unsupported_version', 'conflict', 'internal', 'not_found'],
    event: ['room_created', 'joined_lobby', 'rules_accepted', 'admitted', 'denied', 'message', 'hand_raised', 'hand_lowered',
      'floor_granted', 'floor_released', 'turn_mode_changed', 'caucus_opened', 'caucus_closed', 'caucus_joined', 'caucus_left',
      'mediator_signalled', 'muted', 'unmuted', 'removed', 'paused', 'resumed', 'session_ended', 'agreement_drafted',
      'agreement_signed', 'agreement_voided'],
    'event.floor_released': ['yielded', 'revoked', 'expired'],
  };
  const missing = [];
  for (const [prefix, values] of Object.entries(families)) {
    for (const v of values) if (dictionaries.en[`${prefix}.${v}`] == null) missing.push(`${prefix}.${v}`);
  }
  assert.deepEqual(missing, []);
});

test('language choice: stored, then the room, then the browser, then English', () => {
  assert.equal(pickLanguage({ stored: 'ru', roomLanguage: 'kk', browserLanguages: ['en-US'] }), 'ru');
  assert.equal(pickLanguage({ stored: null, roomLanguage: 'kk', browserLanguages: ['ru-RU'] }), 'kk');
  assert.equal(pickLanguage({ stored: 'xx', roomLanguage: null, browserLanguages: ['de-DE', 'ru-RU'] }), 'ru');
  assert.equal(pickLanguage({ stored: null, roomLanguage: null, browserLanguages: ['de'] }), 'en');
});

test('t fills placeholders in the chosen language; durations and clocks are localised', () => {
  setLanguage('ru');
  assert.equal(t('agreement.sign_version', { version: 3 }), 'Подписать версию 3');
  assert.equal(formatDuration(125000), '2 мин 5 с');
  setLanguage('kk');
  assert.equal(t('agreement.sign_version', { version: 3 }), '3-нұсқаға қол қою');
  setLanguage('en');
  assert.equal(formatDuration(5000), '5 s');
  assert.equal(formatClock(65000), '1:05');
  assert.equal(formatClock(0), '0:00');
});

test('dates: month names come from the dictionary, so every language gets a real month', () => {
  for (const lang of LANGUAGES) {
    for (let m = 1; m <= 12; m += 1) assert.ok(dictionaries[lang][`date.month_${m}`], `${lang} month ${m}`);
  }
  setLanguage('kk');
  const text = formatDateTime(Date.UTC(2026, 10, 26, 12, 0));
  assert.ok(!/M11/.test(text), text);
  assert.match(text, /2026/);
  setLanguage('en');
});
