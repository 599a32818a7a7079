// A party loses the network while the others talk, and comes back: every message said in the
// meantime appears once — not missing, not twice — and what the party wrote while offline is
// delivered once.
//
// How the network is cut: Playwright's context.setOffline() (CDP network emulation) does not close
// an open WebSocket in Chromium — it only holds its frames until the network is back, so the page
// would never reconnect. The party's browser therefore reaches the server through a TCP relay
// (support.mjs startRelay; the server allows the relay's origin with --allowed-origin): the test
// goes offline in the browser (navigator.onLine false, no new connections) *and* destroys the relayed
// TCP connection, so the server sees the party vanish and the page's socket dies without a close
// frame, as on a train going into a tunnel. Coming back, the relay lets connections through again
// and the browser goes online; the client reconnects with resume_after by itself.
import test from 'node:test';
import assert from 'node:assert/strict';
import en from '../../web-client/js/i18n/en.js';
import {
  startServer, startRelay, viaOrigin, launchBrowser, openPerson, cleanupStack, recordFrames, until,
  marker, byTestId, countMessages, say, acceptLobby, admit,
  keepEvidence,
} from './support.mjs';

test('a party who drops off the network sees every missed message once when back', { timeout: 180000 }, keepEvidence('reconnect', async (t) => {
  const defer = cleanupStack(t);
  const relay = await startRelay(defer);
  const server = await startServer(defer, { allowedOrigins: [relay.origin] });
  relay.connectTo(server.port);
  const room = await server.createRoom({ title: 'Reconnect', language: 'en', turn_mode: 'open' });
  const mInv = await server.invite(room.id, { role: 'mediator', name: 'Mira' });
  const aInv = await server.invite(room.id, { role: 'party', name: 'Aigul', side: 'A' });
  const bInv = await server.invite(room.id, { role: 'party', name: 'Boris', side: 'B' });
  const [A, B] = [aInv.invite_id, bInv.invite_id];

  const browser = await launchBrowser(defer);
  const med = (await openPerson(browser)).page;
  const pa = (await openPerson(browser)).page;
  const { page: pb, context: cb } = await openPerson(browser);
  const framesB = recordFrames(pb);

  await med.goto(mInv.url);
  await byTestId(med, 'mediator-console').waitFor();
  await pa.goto(aInv.url);
  await pb.goto(viaOrigin(bInv.url, relay.origin));
  await acceptLobby(pa);
  await acceptLobby(pb);
  await admit(med, [A, B], en['console.rules_accepted']);
  for (const page of [pa, pb]) await byTestId(page, 'view-room').waitFor();

  const before = marker('before-drop');
  await say(med, before);
  await until(async () => (await countMessages(pb, before)) === 1, 'the first message on B\'s page');
  await until(async () => (await byTestId(pb, 'connection-status').getAttribute('data-state')) === 'online', 'B online');

  // ---- B drops off
  await cb.setOffline(true);
  relay.down = true;
  relay.drop();
  const rowB = byTestId(med, `participant-${B}`);
  await until(async () => (await rowB.textContent()).includes(en['presence.offline']), 'the mediator seeing B offline');

  // B writes while offline: kept as "sending…", never as a delivered message.
  const fromB = marker('written-offline-by-B');
  await byTestId(pb, 'composer-input').fill(fromB);
  await byTestId(pb, 'composer-send').click();
  await pb.locator('[data-testid="message-pending"]', { hasText: fromB }).waitFor();

  const missed = [];
  for (let i = 1; i <= 3; i += 1) {
    const m = marker(`mediator-${i}`);
    await say(med, m);
    missed.push(m);
    const a = marker(`party-A-${i}`);
    await say(pa, a);
    missed.push(a);
  }
  for (const m of missed) assert.equal(await countMessages(pb, m), 0, `${m} reached B while offline`);
  assert.equal(await countMessages(med, fromB), 0, 'B\'s offline message reached the room');
  const stateWhileOff = await byTestId(pb, 'connection-status').getAttribute('data-state');

  // ---- B comes back
  relay.down = false;
  await cb.setOffline(false);
  await until(async () => (await byTestId(pb, 'connection-status').getAttribute('data-state')) === 'online', 'B online again', { timeout: 20000 });
  for (const m of missed) {
    await until(async () => (await countMessages(pb, m)) === 1, `${m} on B's page after the reconnect`, { timeout: 15000 });
  }
  await until(async () => (await countMessages(med, fromB)) === 1, 'B\'s offline message delivered to the mediator');
  await until(async () => (await countMessages(pb, fromB)) === 1, 'B\'s offline message acknowledged on B\'s page');
  assert.equal(await pb.locator('[data-testid="message-pending"]').count(), 0);

  // A message after the reconnect: once it is on B's page, anything late would have arrived too.
  const after = marker('after-return');
  await say(pa, after);
  await until(async () => (await countMessages(pb, after)) === 1, 'the message after the return on B\'s page');
  for (const m of [before, ...missed, fromB, after]) assert.equal(await countMessages(pb, m), 1, `${m} shown once on B`);
  for (const page of [med, pa]) assert.equal(await countMessages(page, fromB), 1, 'B\'s message shown once to the others');

  // The timeline is in the room's order.
  const seqs = await pb.locator('[data-testid="timeline"] > li[data-seq]').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'B\'s timeline in seq order');

  // On the wire: the socket really dropped, B resumed after what it had, and no event came twice.
  // (Attempts made while the network was down never got to send their hello.)
  const connections = framesB.sent.filter((s) => s.length > 0);
  assert.ok(connections.length >= 2, `B said hello ${connections.length} time(s): the drop did not reconnect`);
  const hellos = connections.map((s) => JSON.parse(s[0]));
  const resumed = hellos.filter((h) => h.type === 'hello' && h.resume_after > 0);
  assert.ok(resumed.length >= 1, `a hello with resume_after > 0: ${JSON.stringify(hellos.map((h) => h.resume_after))}`);
  const events = framesB.map((f) => JSON.parse(f)).filter((m) => m.type === 'event' && m.kind === 'message');
  for (const m of [...missed, fromB, after]) {
    const copies = events.filter((e) => e.text === m && !e.replay);
    const replays = events.filter((e) => e.text === m && e.replay);
    assert.equal(copies.length + replays.length, 1, `${m} received ${copies.length} live + ${replays.length} replayed`);
  }
  // The text B sent offline went to the server exactly once per connection that carried it, with one id.
  const sentSays = framesB.sent.flat().map((s) => JSON.parse(s)).filter((c) => c.type === 'say' && c.text === fromB);
  assert.ok(sentSays.length >= 1);
  assert.equal(new Set(sentSays.map((c) => c.id)).size, 1, 'the re-sent command kept its id');

  const transcript = await server.transcript(room.id, 'json', 'all');
  assert.equal(transcript.events.filter((e) => e.kind === 'message' && e.text === fromB).length, 1, 'one message event for B\'s text');
  t.diagnostic(`B's status while cut off: ${stateWhileOff}; sockets opened: ${framesB.sent.length}, hellos: ${JSON.stringify(hellos.map((h) => h.resume_after))}`);
  for (const page of [med, pa, pb]) assert.deepEqual(page.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|WebSocket/.test(p)), [], 'no script errors');
}));
