// The administrator's page: token, a new room, invitations with copyable links that really open
// the room, and transcript downloads that contain what was said there; then closing the room.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import en from '../../web-client/js/i18n/en.js';
import {
  startServer, launchBrowser, openPerson, cleanupStack, until, marker, byTestId, say, acceptLobby, admit,
  keepEvidence,
} from './support.mjs';

async function download(page, format, scope) {
  await byTestId(page, 'export-format').selectOption(format);
  await byTestId(page, 'export-scope').selectOption(scope);
  const [file] = await Promise.all([page.waitForEvent('download'), byTestId(page, 'export-download').click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

test('the admin page creates a room, issues invitations and downloads the conversation', { timeout: 180000 }, keepEvidence('admin', async (t) => {
  const defer = cleanupStack(t);
  const server = await startServer(defer);
  const browser = await launchBrowser(defer);
  const { page: admin, context: adminContext } = await openPerson(browser);
  await adminContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });

  // ---- the token: a wrong one is refused, the right one opens the work area
  await admin.goto(`${server.origin}/admin.html`);
  await byTestId(admin, 'admin-token-input').fill('not-the-token');
  await byTestId(admin, 'admin-token-save').click();
  await until(async () => (await byTestId(admin, 'admin-token-state').textContent()) === en['admin.token_rejected'], 'the wrong token refused');
  assert.equal(await byTestId(admin, 'room-create-section').isVisible(), false);
  await byTestId(admin, 'admin-token-input').fill(server.adminToken);
  await byTestId(admin, 'admin-token-save').click();
  await until(async () => (await byTestId(admin, 'admin-token-state').getAttribute('data-ok')) === 'true', 'the token accepted');
  assert.equal(await admin.evaluate(() => sessionStorage.getItem('kelisim.adminToken')), server.adminToken);
  assert.equal(await admin.evaluate(() => localStorage.getItem('kelisim.adminToken')), null, 'the token stays out of localStorage');

  // ---- a room
  const title = marker('School conflict');
  const rules = 'We listen. We do not interrupt.';
  await byTestId(admin, 'room-create-title').fill(title);
  await byTestId(admin, 'room-create-language').selectOption('en');
  await byTestId(admin, 'room-create-mode').selectOption('open');
  await byTestId(admin, 'room-create-seconds').fill('45');
  await byTestId(admin, 'room-create-rules').fill(rules);
  await byTestId(admin, 'room-create-submit').click();
  const detail = byTestId(admin, 'room-detail');
  await until(async () => (await detail.isVisible()) && (await detail.getAttribute('data-room')), 'the new room opened');
  const roomId = await detail.getAttribute('data-room');
  await byTestId(admin, `room-row-${roomId}`).waitFor();
  const created = await server.api('GET', `/api/rooms/${roomId}`);
  assert.deepEqual([created.title, created.language, created.turn_mode, created.turn_seconds, created.rules], [title, 'en', 'open', 45, rules]);

  // ---- invitations: a mediator and a party of side A; links appear and can be copied
  async function invite(role, name, side) {
    await byTestId(admin, 'invite-role').selectOption(role);
    await byTestId(admin, 'invite-name').fill(name);
    if (side) await byTestId(admin, 'invite-side').fill(side);
    else assert.equal(await byTestId(admin, 'invite-side').isVisible(), false, `no side field for a ${role}`);
    await byTestId(admin, 'invite-create').click();
    const link = byTestId(admin, 'invite-link');
    await until(async () => (await byTestId(admin, 'invite-result').isVisible()) && (await admin.locator('#invite-link-label').textContent()).includes(name), `the link for ${name}`);
    const url = await link.inputValue();
    assert.ok(url.startsWith(`${server.origin}/#token=`), `an invitation link: ${url}`);
    await byTestId(admin, 'invite-copy').click();
    await until(async () => (await byTestId(admin, 'invite-copy-state').textContent()) === en['admin.copied'], 'copied');
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), url, 'the clipboard holds the link');
    return url;
  }
  const mediatorUrl = await invite('mediator', 'Mira');
  const partyUrl = await invite('party', 'Aigul', 'A');
  await until(async () => (await byTestId(admin, 'invites-list').locator('li').count()) === 2, 'two invitations listed');
  const listed = await server.api('GET', `/api/rooms/${roomId}`);
  assert.deepEqual(listed.invites.map((i) => [i.role, i.name, i.side]).sort(), [['mediator', 'Mira', null], ['party', 'Aigul', 'A']]);

  // ---- the links work: the two meet and talk
  const med = (await openPerson(browser)).page;
  const party = (await openPerson(browser)).page;
  await med.goto(mediatorUrl);
  await byTestId(med, 'mediator-console').waitFor();
  await party.goto(partyUrl);
  await acceptLobby(party);
  const partyId = listed.invites.find((i) => i.role === 'party').invite_id;
  await admit(med, [partyId], en['console.rules_accepted']);
  await byTestId(party, 'view-room').waitFor();
  const fromMediator = marker('welcome-everyone');
  const fromParty = marker('my-side-of-it');
  await say(med, fromMediator);
  await say(party, fromParty);

  // ---- downloads: text and JSON, everything and joint only
  const text = await download(admin, 'text', 'all');
  assert.match(text.name, /\.txt$/);
  for (const s of [fromMediator, fromParty, 'Aigul', 'Mira', title]) assert.ok(text.text.includes(s), `the text export has ${s}`);
  const json = await download(admin, 'json', 'all');
  assert.match(json.name, /\.json$/);
  const doc = JSON.parse(json.text);
  const said = doc.events.filter((e) => e.kind === 'message').map((e) => [e.actor, e.text]);
  assert.deepEqual(said, [[listed.invites.find((i) => i.role === 'mediator').invite_id, fromMediator], [partyId, fromParty]]);
  assert.equal(doc.chain.head, doc.events.at(-1).hash);
  const html = await download(admin, 'html', 'joint');
  assert.match(html.name, /\.html$/);
  assert.ok(html.text.includes(fromParty) && html.text.includes(fromMediator), 'the HTML export has the conversation');

  // ---- closing the room (two presses) ends the session for the people in it
  await byTestId(admin, 'room-close').click();
  await byTestId(admin, 'room-close').click();
  await until(async () => (await byTestId(admin, `room-row-${roomId}`).getAttribute('data-state')) === 'ended', 'the room listed as ended');
  for (const page of [med, party]) {
    await until(async () => (await byTestId(page, 'room-banner').getAttribute('data-state')) === 'ended', 'the ended banner');
  }
  // (The one 401 is the wrong token tried on purpose at the start.)
  const expected401 = /Failed to load resource: the server responded with a status of 401/;
  assert.equal(admin.problems.filter((p) => expected401.test(p)).length, 1);
  for (const page of [admin, med, party]) assert.deepEqual(page.problems.filter((p) => !expected401.test(p)), [], 'no script errors');
}));
