// No untranslated string in Kazakh, Russian or English: the three dictionaries have the same keys,
// and the rendered pages — lobby, party room, mediator console, admin page — switched with the
// language buttons show no raw key, no `undefined`, no unfilled `{placeholder}`, and no text of
// another language (English words on a kk/ru page, Kazakh letters on a ru page, a sentence left
// over from the previous language after the switch).
//
// The room's data (names, title, rules, messages) is written in Kazakh/Russian and taken out of
// the page text before the checks, so what remains is what the client itself wrote.
import test from 'node:test';
import assert from 'node:assert/strict';
import kk from '../../web-client/js/i18n/kk.js';
import ru from '../../web-client/js/i18n/ru.js';
import en from '../../web-client/js/i18n/en.js';
import {
  startServer, launchBrowser, openPerson, cleanupStack, until, byTestId, say, acceptLobby, admit, openChannel,
  keepEvidence,
} from './support.mjs';

const dictionaries = { kk, ru, en };
const LANGS = ['kk', 'ru', 'en'];

test('kk, ru and en dictionaries have the same keys and no empty or mismatched entries', () => {
  const keys = Object.fromEntries(LANGS.map((l) => [l, Object.keys(dictionaries[l]).sort()]));
  for (const l of LANGS) assert.deepEqual(keys[l], keys.en, `${l} keys differ from en`);
  const holes = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const l of LANGS) {
    for (const [k, v] of Object.entries(dictionaries[l])) {
      assert.ok(typeof v === 'string' && v.trim(), `${l}:${k} is empty`);
      assert.equal(holes(v), holes(en[k]), `${l}:${k} has other placeholders than en`);
    }
  }
});

const DATA = {
  title: 'Көршілер дауы',
  rules: 'Бір-бірімізді тыңдаймыз. Сөзді бөлмейміз.',
  mediator: 'Мира Сейітқызы',
  partyA: 'Айгүл Нұрланқызы',
  partyB: 'Борис Иванов',
  lobbyParty: 'Дәурен Әлиев',
  jointA: 'Қоршау біздің жерде тұр.',
  jointM: 'Рахмет, енді екінші тарапты тыңдайық.',
  caucusTitle: 'А тарапымен жеке әңгіме',
  caucusA: 'Мен келісуге дайынмын, бірақ шарт бар.',
  agreement: '1. Қоршау орнында қалады.\n2. Сағат 22:00-ден кейін тыныштық.',
  signal: 'Маған үзіліс керек',
  adminInvite: 'Сәуле Омарова',
};
// Written natively in every language: the language buttons, the product name.
const NATIVE = [kk['lang.kk'], kk['lang.ru'], kk['lang.en'], en['app.name']];
const KEY_PREFIXES = [...new Set(Object.keys(en).map((k) => k.split('.')[0]))];
const KEY_PATTERN = new RegExp(`\\b(?:${KEY_PREFIXES.join('|')})\\.[a-z0-9_]+(?:\\.[a-z0-9_]+)*\\b`, 'g');

/** Visible text, the document title, and the labels/placeholders/titles of rendered elements. */
async function readPage(page) {
  return page.evaluate(() => {
    const attrs = [];
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
      if (!el.checkVisibility()) continue;
      for (const a of ['aria-label', 'placeholder', 'title', 'alt']) if (el.hasAttribute(a)) attrs.push(el.getAttribute(a));
    }
    return { text: document.body.innerText, title: document.title, attrs, lang: document.documentElement.lang };
  });
}

function strip(text) {
  let rest = text;
  const known = [...Object.values(DATA).flatMap((v) => [v, ...v.split('\n')]), ...NATIVE].sort((a, b) => b.length - a.length);
  for (const s of known) rest = rest.split(s).join(' ');
  return rest;
}

/** Fragments of other languages' sentences: the literal parts of a value around its placeholders. */
function foreignFragments(lang) {
  const out = new Map();
  for (const other of LANGS) {
    if (other === lang) continue;
    for (const [k, v] of Object.entries(dictionaries[other])) {
      if (v === dictionaries[lang][k]) continue;
      for (const part of v.split(/\{\w+\}/)) {
        const p = part.trim();
        if (p.length >= 8 && !Object.values(dictionaries[lang]).some((mine) => mine.includes(p))) out.set(p, `${other}:${k}`);
      }
    }
  }
  return out;
}

function problemsIn(view, lang, { text, title, attrs }) {
  const all = [text, title, ...attrs].join('\n');
  const rest = strip(all);
  const found = [];
  for (const m of all.matchAll(KEY_PATTERN)) if (en[m[0]] != null || /^[a-z_]+\.[a-z_.]+$/.test(m[0])) found.push(`raw key "${m[0]}"`);
  for (const bad of ['undefined', 'null', 'NaN', '[object Object]']) if (new RegExp(`\\b${bad.replace(/[[\]]/g, '\\$&')}\\b`).test(rest)) found.push(`"${bad}"`);
  for (const m of rest.matchAll(/\{\w*\}/g)) found.push(`placeholder left "${m[0]}"`);
  // Words in the other script are fine only where the translators wrote them themselves
  // (key names like Enter, format names like JSON).
  const own = Object.values(dictionaries[lang]).join(' ');
  const script = lang === 'en' ? /[\u0400-\u04FF]+/g : /\b[A-Za-z]{2,}\b/g;
  for (const m of rest.matchAll(script)) if (!own.includes(m[0])) found.push(`${lang === 'en' ? 'Cyrillic' : 'Latin'} word "${m[0]}"`);
  if (lang === 'ru') for (const m of rest.matchAll(/\S*[әғқңөұүһіӘҒҚҢӨҰҮҺІ]\S*/g)) found.push(`Kazakh word "${m[0]}"`);
  for (const [fragment, where] of foreignFragments(lang)) if (rest.includes(fragment)) found.push(`"${fragment}" (${where})`);
  return [...new Set(found)].map((f) => `${view} [${lang}]: ${f}`);
}

async function switchTo(page, lang) {
  await byTestId(page, `lang-${lang}`).click();
  await until(async () => (await byTestId(page, `lang-${lang}`).getAttribute('aria-pressed')) === 'true'
    && (await page.evaluate(() => document.documentElement.lang)) === lang, `${lang} on the page`);
  // One animation frame: the room re-renders on the next frame after a change.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

test('lobby, party room, mediator console and admin page are fully translated in kk, ru and en', { timeout: 180000 }, keepEvidence('i18n', async (t) => {
  const defer = cleanupStack(t);
  const server = await startServer(defer);
  const room = await server.createRoom({ title: DATA.title, language: 'kk', turn_mode: 'moderated', turn_seconds: 600, rules: DATA.rules });
  const mInv = await server.invite(room.id, { role: 'mediator', name: DATA.mediator });
  const aInv = await server.invite(room.id, { role: 'party', name: DATA.partyA, side: 'A' });
  const bInv = await server.invite(room.id, { role: 'party', name: DATA.partyB, side: 'B' });
  const lInv = await server.invite(room.id, { role: 'party', name: DATA.lobbyParty, side: 'B' });
  const [A, B, L] = [aInv.invite_id, bInv.invite_id, lInv.invite_id];

  const browser = await launchBrowser(defer);
  const med = (await openPerson(browser)).page;
  const pa = (await openPerson(browser)).page;
  const pb = (await openPerson(browser)).page;
  const lobbyPage = (await openPerson(browser)).page;
  const adminPage = (await openPerson(browser)).page;

  // ---- a room with a bit of everything on screen
  await med.goto(mInv.url);
  await byTestId(med, 'mediator-console').waitFor();
  await pa.goto(aInv.url);
  await pb.goto(bInv.url);
  await acceptLobby(pa);
  await acceptLobby(pb);
  await admit(med, [A, B], kk['console.rules_accepted']);
  for (const page of [pa, pb]) await byTestId(page, 'view-room').waitFor();
  await lobbyPage.goto(lInv.url);
  await byTestId(lobbyPage, 'lobby-consent').waitFor();
  await byTestId(med, `lobby-entry-${L}`).waitFor();

  await say(med, DATA.jointM);
  await byTestId(pb, 'raise-hand').click();
  await byTestId(pa, 'raise-hand').click();
  await byTestId(med, `grant-${A}`).click();
  await until(async () => (await byTestId(pa, 'floor-holder').getAttribute('data-holder')) === A, 'A holding the floor');
  await say(pa, DATA.jointA);
  await byTestId(pa, 'floor-countdown').waitFor();

  await byTestId(med, 'caucus-pick-side-A').click();
  await byTestId(med, 'caucus-title').fill(DATA.caucusTitle);
  await byTestId(med, 'caucus-open').click();
  const caucusId = await med.locator('[data-testid="caucus-list"] > li[data-caucus]').first().getAttribute('data-caucus');
  await openChannel(pa, caucusId);
  await byTestId(pa, 'composer-shareable').check();
  await say(pa, DATA.caucusA);

  await byTestId(pa, 'signal-open').click();
  await byTestId(pa, 'signal-text').fill(DATA.signal);
  await byTestId(pa, 'signal-send').click();
  await byTestId(med, 'signal-item').waitFor();

  await byTestId(med, 'agreement-draft-input').fill(DATA.agreement);
  await byTestId(med, 'agreement-draft-save').click();
  await until(async () => (await byTestId(pb, 'agreement-panel').getAttribute('data-version')) === '1', 'the draft on B');
  await byTestId(pb, 'sign-agreement').click();
  await byTestId(pb, 'agreement-signed-note').waitFor();
  await byTestId(med, `mute-${B}`).click();
  await byTestId(med, `unmute-${B}`).waitFor();
  await until(async () => (await byTestId(pb, 'composer-reason').getAttribute('data-reason')) === 'muted', 'B muted');
  // The mediator's own view of the caucus (members, attending) and the party's view of the joint session.
  await openChannel(med, caucusId, `caucus-goto-${caucusId}`);

  // ---- the admin page with a room open and an invitation just made
  await adminPage.goto(`${server.origin}/admin.html`);
  await byTestId(adminPage, 'admin-token-input').fill(server.adminToken);
  await byTestId(adminPage, 'admin-token-save').click();
  await byTestId(adminPage, `room-open-${room.id}`).click();
  await byTestId(adminPage, 'invite-name').fill(DATA.adminInvite);
  await byTestId(adminPage, 'invite-create').click();
  await byTestId(adminPage, 'invite-result').waitFor();

  const views = { lobby: lobbyPage, party: pa, 'party (muted, caucus member)': pb, 'mediator console': med, admin: adminPage };
  // What each view must show in the chosen language: proof that the scan reads the real screen.
  const expected = {
    lobby: ['lobby.title', 'lobby.notice_recording', 'lobby.accept'],
    party: ['floor.heading', 'agreement.heading', 'channels.joint', 'floor.yield'],
    'party (muted, caucus member)': ['reason.muted', 'agreement.heading'],
    'mediator console': ['console.heading', 'console.caucus', 'console.end'],
    admin: ['admin.create_heading', 'admin.invites_heading', 'admin.copy'],
  };
  const problems = [];
  // Start from the room's language (kk), go through ru and en, and back to kk: a string that
  // does not follow a switch shows up as another language's fragment.
  for (const lang of ['ru', 'en', 'kk']) {
    for (const [view, page] of Object.entries(views)) {
      await switchTo(page, lang);
      const seen = await readPage(page);
      assert.equal(seen.lang, lang);
      for (const key of expected[view]) assert.ok(seen.text.includes(dictionaries[lang][key]), `${view} [${lang}] shows ${key}`);
      problems.push(...problemsIn(view, lang, seen));
    }
  }
  // Also the party's caucus tab and B's joint session with the wording of a muted party.
  await openChannel(pa, 'joint');
  for (const lang of ['ru', 'en']) {
    await switchTo(pa, lang);
    problems.push(...problemsIn('party, joint tab', lang, await readPage(pa)));
  }
  assert.deepEqual(problems, []);
  for (const page of Object.values(views)) assert.deepEqual(page.problems, [], 'no script errors');
}));
