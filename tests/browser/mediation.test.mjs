// A whole mediation in three browser contexts: a mediator and two parties (sides A and B).
// Lobby and consent, admission, moderated turns with a raised hand and a grant, a timed turn that
// the server ends, a caucus with side A that side B never sees (neither on the page nor in any
// WebSocket frame), a shareable mark, an agreement signed by both parties, the end.
import test from 'node:test';
import assert from 'node:assert/strict';
import en from '../../web-client/js/i18n/en.js';
import {
  startServer, launchBrowser, openPerson, cleanupStack, recordFrames, until, marker, byTestId,
  countMessages, say, acceptLobby, openChannel,
  keepEvidence,
} from './support.mjs';

const TURN_SECONDS = 5;

test('a mediator and two parties run a mediation from lobby to signed agreement', { timeout: 180000 }, keepEvidence('mediation', async (t) => {
  const defer = cleanupStack(t);
  const server = await startServer(defer);
  const room = await server.createRoom({ title: marker('Neighbours'), language: 'en', turn_mode: 'moderated', turn_seconds: 0 });
  const mInv = await server.invite(room.id, { role: 'mediator', name: 'Mira Mediator' });
  const aInv = await server.invite(room.id, { role: 'party', name: 'Aigul', side: 'A' });
  const bInv = await server.invite(room.id, { role: 'party', name: 'Boris', side: 'B' });
  const [M, A, B] = [mInv.invite_id, aInv.invite_id, bInv.invite_id];

  const browser = await launchBrowser(defer);
  const med = (await openPerson(browser)).page;
  const pa = (await openPerson(browser)).page;
  const pb = (await openPerson(browser)).page;
  // Every frame side B's browser receives, from its first connection on.
  const framesB = recordFrames(pb);
  const framesA = recordFrames(pa);

  // ---- the mediator hosts; the parties arrive in the lobby and consent
  await med.goto(mInv.url);
  await byTestId(med, 'mediator-console').waitFor();
  assert.equal(await med.evaluate(() => document.body.dataset.view), 'room');

  await pa.goto(aInv.url);
  await pb.goto(bInv.url);
  for (const [page, name] of [[pa, 'Aigul'], [pb, 'Boris']]) {
    await byTestId(page, 'lobby-greeting').waitFor();
    assert.match(await byTestId(page, 'lobby-greeting').textContent(), new RegExp(name));
    // Not yet consented: the accept button waits for the checkbox.
    assert.equal(await byTestId(page, 'lobby-accept').isDisabled(), true);
    await acceptLobby(page);
  }

  // ---- admission: the mediator sees both in the lobby, with their consent, and admits them
  for (const id of [A, B]) {
    const entry = byTestId(med, `lobby-entry-${id}`);
    await until(async () => (await entry.textContent()).includes(en['console.rules_accepted']), `consent of ${id} on the console`);
    await byTestId(med, `admit-${id}`).click();
  }
  for (const page of [pa, pb]) {
    await byTestId(page, 'view-room').waitFor();
    await byTestId(page, 'agreement-none').waitFor();
  }
  await until(async () => (await byTestId(med, 'lobby-list').locator('li').count()) === 0, 'an empty lobby list');

  // ---- moderated turns: nobody holds the floor, a party must raise a hand
  const opening = marker('mediator-opening');
  await say(med, opening);
  for (const page of [pa, pb]) await until(async () => (await countMessages(page, opening)) === 1, 'the opening on a party page');
  assert.equal(await byTestId(pa, 'turn-mode').getAttribute('data-mode'), 'moderated');
  assert.equal(await byTestId(pa, 'composer-reason').getAttribute('data-reason'), 'not_your_turn');
  assert.equal(await byTestId(pa, 'composer-send').isDisabled(), true);

  await byTestId(pa, 'raise-hand').click();
  await byTestId(pa, 'lower-hand').waitFor();
  // Everyone sees the queue; the mediator gets a grant button for the raised hand.
  await pb.locator(`[data-testid="hand-queue"] li[data-participant="${A}"]`).waitFor();
  await byTestId(med, `grant-${A}`).click();
  for (const page of [med, pa, pb]) {
    await until(async () => (await byTestId(page, 'floor-holder').getAttribute('data-holder')) === A, 'A holding the floor');
  }
  assert.equal(await pb.locator('[data-testid="hand-queue"] li').count(), 0, 'the granted hand left the queue');
  assert.equal(await byTestId(pb, 'composer-reason').getAttribute('data-reason'), 'not_your_turn');

  const jointA = marker('joint-from-A');
  await say(pa, jointA);
  await until(async () => (await countMessages(pb, jointA)) === 1, 'A\'s joint message on B\'s page');
  await until(async () => (await countMessages(med, jointA)) === 1, 'A\'s joint message on the console');
  await byTestId(pa, 'yield-floor').click();
  for (const page of [med, pa, pb]) {
    await until(async () => (await byTestId(page, 'floor-holder').getAttribute('data-holder')) === '', 'the floor free after yielding');
  }

  // ---- a timed turn: the mediator sets a short turn length, grants B, the server ends the turn
  await byTestId(med, 'turn-mode-select').selectOption('moderated');
  await byTestId(med, 'turn-seconds').fill(String(TURN_SECONDS));
  await byTestId(med, 'turn-mode-apply').click();
  await until(async () => (await byTestId(pb, 'turn-mode').textContent()).includes(en['floor.per_turn'].replace('{seconds}', TURN_SECONDS)),
    'the turn length on B\'s floor panel');

  await byTestId(pb, 'raise-hand').click();
  await byTestId(med, `grant-${B}`).click();
  await until(async () => (await byTestId(pb, 'floor-holder').getAttribute('data-holder')) === B, 'B holding the floor');
  const grantedAt = Date.now();
  const countdown = byTestId(pb, 'floor-countdown');
  await countdown.waitFor({ state: 'visible' });
  const shown = await countdown.textContent();
  assert.match(shown, new RegExp(`0:0[0-${TURN_SECONDS}]`), `countdown shows at most ${TURN_SECONDS} s: ${shown}`);
  const jointB = marker('joint-from-B');
  await say(pb, jointB);
  // The time limit is the subject here: wait for the server to take the floor back.
  for (const page of [pb, pa, med]) {
    await until(async () => (await byTestId(page, 'floor-holder').getAttribute('data-holder')) === '', 'the floor released at expiry', { timeout: (TURN_SECONDS + 6) * 1000 });
  }
  assert.ok(Date.now() - grantedAt < (TURN_SECONDS + 6) * 1000);
  assert.equal(await countdown.isHidden(), true, 'no countdown once the floor is free');
  // The server's own times: the deadline is the turn length after the grant, the release at the deadline.
  const eventsB = framesB.map((f) => JSON.parse(f)).filter((m) => m.type === 'event');
  const grant = eventsB.findLast((m) => m.kind === 'floor_granted' && m.participant === B);
  const expiry = eventsB.find((m) => m.kind === 'floor_released' && m.participant === B);
  assert.ok(grant && expiry, 'B received floor_granted and floor_released');
  assert.equal(expiry.reason, 'expired');
  assert.equal(expiry.actor, 'system');
  assert.equal(Date.parse(grant.deadline) - Date.parse(grant.ts), TURN_SECONDS * 1000, 'the deadline is one turn after the grant');
  const late = Date.parse(expiry.ts) - Date.parse(grant.deadline);
  assert.ok(late >= 0 && late < 2000, `released ${late} ms after the deadline`);
  await pb.locator('[data-testid="notice"][data-kind="floor_released"]').last().waitFor();
  assert.equal(await byTestId(pb, 'composer-send').isDisabled(), true);

  // ---- a caucus with side A, opened from the console; its words never reach side B
  const caucusTitle = marker('caucus-title');
  const secret = marker('caucus-secret');
  const secretReply = marker('caucus-reply');
  await byTestId(med, `caucus-pick-side-A`).click();
  assert.equal(await byTestId(med, `caucus-member-${A}`).isChecked(), true);
  assert.equal(await byTestId(med, `caucus-member-${B}`).isChecked(), false);
  await byTestId(med, 'caucus-title').fill(caucusTitle);
  await byTestId(med, 'caucus-open').click();
  const caucusRow = med.locator('[data-testid="caucus-list"] > li[data-caucus]');
  await caucusRow.first().waitFor();
  const caucusId = await caucusRow.first().getAttribute('data-caucus');

  await openChannel(pa, caucusId);
  await byTestId(pa, 'caucus-private-note').waitFor();
  assert.equal(await byTestId(pa, 'channel-panel').getAttribute('data-private'), 'true');
  // A party may always write in their own caucus, floor or not; this message is marked shareable.
  await byTestId(pa, 'composer-shareable').check();
  await say(pa, secret);
  const secretOnA = pa.locator('[data-testid="message"]', { hasText: secret });
  await secretOnA.locator('[data-testid="message-shareable"]').waitFor();
  assert.equal(await secretOnA.getAttribute('data-channel'), caucusId);

  await openChannel(med, caucusId, `caucus-goto-${caucusId}`);
  const secretOnM = med.locator('[data-testid="message"]', { hasText: secret });
  await secretOnM.waitFor();
  await secretOnM.locator('[data-testid="message-shareable"]').waitFor();
  await say(med, secretReply);
  await until(async () => (await countMessages(pa, secretReply)) === 1, 'the mediator\'s caucus reply on A\'s page');

  // Back in the joint session B keeps talking to the mediator, unaware of the caucus.
  await openChannel(med, 'joint');
  await openChannel(pa, 'joint');
  const jointAfter = marker('joint-after-caucus');
  await say(med, jointAfter);
  await until(async () => (await countMessages(pb, jointAfter)) === 1, 'the joint message after the caucus on B\'s page');
  assert.equal(await byTestId(pb, `channel-tab-${caucusId}`).count(), 0, 'B has no tab for A\'s caucus');

  // ---- agreement: drafted by the mediator, signed by both parties
  const agreementText = `${marker('agreement')}\n1. The fence stays where it is.\n2. Quiet hours after 22:00.`;
  await byTestId(med, 'agreement-draft-input').fill(agreementText);
  await byTestId(med, 'agreement-draft-save').click();
  for (const page of [pa, pb]) {
    await until(async () => (await byTestId(page, 'agreement-panel').getAttribute('data-version')) === '1', 'version 1 on a party page');
    assert.equal((await byTestId(page, 'agreement-text').textContent()).trim(), agreementText);
    await byTestId(page, 'sign-agreement').click();
    await byTestId(page, 'agreement-signed-note').waitFor();
  }
  for (const id of [A, B]) await med.locator(`[data-testid="agreement-signatures"] li[data-participant="${id}"]`).waitFor();
  await until(async () => await byTestId(med, 'agreement-waiting').isHidden(), 'nobody left to sign');

  // ---- the end: two presses on the console
  await byTestId(med, 'end-session').click();
  await byTestId(med, 'end-session').click();
  for (const page of [med, pa, pb]) {
    await until(async () => (await byTestId(page, 'room-banner').getAttribute('data-state')) === 'ended', 'the ended banner');
    assert.equal(await byTestId(page, 'composer-reason').getAttribute('data-reason'), 'ended');
  }
  assert.equal(await byTestId(pa, 'sign-agreement').isHidden(), true);

  // ---- side B never saw the caucus: not in the DOM, not in any frame it received
  const domB = await pb.content();
  for (const word of [secret, secretReply, caucusTitle]) {
    assert.ok(!domB.includes(word), `side B's page contains ${word}`);
    const leaked = framesB.filter((f) => f.includes(word));
    assert.deepEqual(leaked, [], `side B received frames with ${word}`);
  }
  assert.ok(!framesB.some((f) => f.includes(`"caucus":"${caucusId}"`) || f.includes('caucus_opened')), 'side B learnt the caucus exists');
  // The recording works: the same checks find the caucus on A's side and the joint words on B's.
  assert.ok(framesA.some((f) => f.includes(secret)), 'A\'s frames have the caucus message');
  assert.ok(framesB.some((f) => f.includes(jointA)) && domB.includes(jointA), 'B\'s frames and page have A\'s joint message');

  // ---- the server's record agrees
  const transcript = await server.transcript(room.id, 'json', 'all');
  const kinds = transcript.events.map((e) => e.kind);
  for (const kind of ['rules_accepted', 'admitted', 'hand_raised', 'floor_granted', 'caucus_opened', 'agreement_drafted', 'agreement_signed', 'session_ended']) {
    assert.ok(kinds.includes(kind), `transcript has ${kind}`);
  }
  assert.ok(transcript.events.some((e) => e.kind === 'floor_released' && e.reason === 'expired' && e.participant === B));
  assert.equal(transcript.events.filter((e) => e.kind === 'agreement_signed').length, 2);
  const joint = await server.transcript(room.id, 'text', 'joint');
  assert.ok(joint.includes(jointA) && !joint.includes(secret), 'the joint export has the joint words and not the caucus');

  for (const page of [med, pa, pb]) assert.deepEqual(page.problems, [], 'no script errors');
}));
