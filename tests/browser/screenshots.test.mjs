// Screenshots of the lobby, the party view, the mediator console and the admin page at phone size
// (390×844) and desktop size (1280×800), saved in tests/browser/artifacts/ for people to look at:
// <view>-<size>.png is the first screen, <view>-<size>-full.png the whole page.
// The test itself checks what a screenshot cannot prove by eye: nothing is wider than the phone's
// screen (no sideways scrolling at 390 px, nor at 360 px) and every page element is in place.
import test from 'node:test';
import assert from 'node:assert/strict';
import en from '../../web-client/js/i18n/en.js';
import {
  startServer, launchBrowser, openPerson, cleanupStack, until, byTestId, say, acceptLobby, admit, screenshotPath,
  keepEvidence,
} from './support.mjs';

const SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

/** Elements sticking out to the right of the viewport (sideways scrolling on a phone). */
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      if (!el.checkVisibility() || el.closest('.visually-hidden')) continue;
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) out.push(`${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}.${el.className} right=${Math.round(r.right)}`);
    }
    return { width, scrollWidth: document.scrollingElement.scrollWidth, out: out.slice(0, 10) };
  });
}

async function shoot(page, name) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    // From the top, as a person arriving sees it (sticky parts would otherwise sit mid-page).
    await page.evaluate(() => new Promise((r) => { window.scrollTo(0, 0); requestAnimationFrame(() => requestAnimationFrame(r)); }));
    await page.screenshot({ path: screenshotPath(`${name}-${size}`) });
    await page.screenshot({ path: screenshotPath(`${name}-${size}-full`), fullPage: true });
    if (size === 'phone') {
      for (const width of [390, 360]) {
        await page.setViewportSize({ width, height: 844 });
        const o = await overflow(page);
        assert.ok(o.scrollWidth <= o.width && o.out.length === 0, `${name} at ${width} px scrolls sideways: ${JSON.stringify(o)}`);
      }
    }
  }
}

test('screenshots of the party view, the mediator console and the admin page, phone and desktop', { timeout: 180000 }, keepEvidence('screenshots', async (t) => {
  const defer = cleanupStack(t);
  const server = await startServer(defer);
  const room = await server.createRoom({
    title: 'Neighbours: the fence on Abai street', language: 'en', turn_mode: 'moderated', turn_seconds: 120,
    rules: '1. We speak one at a time.\n2. We treat each other with respect.\n3. What is said in a caucus stays there unless you allow it.',
  });
  const mInv = await server.invite(room.id, { role: 'mediator', name: 'Mira Seitova' });
  const aInv = await server.invite(room.id, { role: 'party', name: 'Aigul Nurlanovna', side: 'A' });
  const bInv = await server.invite(room.id, { role: 'party', name: 'Boris Ivanov', side: 'B' });
  const lInv = await server.invite(room.id, { role: 'party', name: 'Dauren Aliev', side: 'B' });
  const [A, B] = [aInv.invite_id, bInv.invite_id];

  const browser = await launchBrowser(defer);
  const open = () => openPerson(browser, { viewport: SIZES.desktop }).then((p) => p.page);
  const med = await open();
  const pa = await open();
  const pb = await open();
  const lobby = await open();
  const admin = await open();

  await med.goto(mInv.url);
  await byTestId(med, 'mediator-console').waitFor();
  await pa.goto(aInv.url);
  await pb.goto(bInv.url);
  await acceptLobby(pa);
  await acceptLobby(pb);
  await admit(med, [A, B], en['console.rules_accepted']);
  for (const page of [pa, pb]) await byTestId(page, 'view-room').waitFor();
  await lobby.goto(lInv.url);
  await byTestId(lobby, 'lobby-consent').waitFor();
  await shoot(lobby, 'lobby');

  await say(med, 'Welcome, both of you. Aigul, would you like to start?');
  await byTestId(pa, 'raise-hand').click();
  await byTestId(med, `grant-${A}`).click();
  await until(async () => (await byTestId(pa, 'floor-holder').getAttribute('data-holder')) === A, 'A holding the floor');
  await say(pa, 'The new fence stands half a metre inside our garden. We only want the boundary from the cadastral plan respected.');
  await byTestId(pb, 'raise-hand').click();
  await byTestId(med, 'agreement-draft-input').fill('1. The fence is moved to the boundary in the cadastral plan by 1 June.\n2. The costs are shared equally.');
  await byTestId(med, 'agreement-draft-save').click();
  await until(async () => (await byTestId(pa, 'agreement-panel').getAttribute('data-version')) === '1', 'the draft on A');
  await byTestId(pa, 'signal-open').click();
  await byTestId(pa, 'signal-text').fill('Could we take five minutes?');
  await byTestId(pa, 'signal-send').click();
  await byTestId(med, 'signal-item').waitFor();
  await byTestId(pa, 'floor-countdown').waitFor();

  await shoot(pa, 'party');
  await shoot(med, 'mediator');

  await admin.goto(`${server.origin}/admin.html`);
  await byTestId(admin, 'admin-token-input').fill(server.adminToken);
  await byTestId(admin, 'admin-token-save').click();
  await byTestId(admin, `room-open-${room.id}`).click();
  await byTestId(admin, 'invite-name').fill('Saule Omarova');
  await byTestId(admin, 'invite-side').fill('B');
  await byTestId(admin, 'invite-create').click();
  await byTestId(admin, 'invite-result').waitFor();
  await shoot(admin, 'admin');

  for (const page of [med, pa, pb, lobby, admin]) assert.deepEqual(page.problems, [], 'no script errors');
}));
