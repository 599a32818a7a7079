import test from 'node:test';
import assert from 'node:assert/strict';
import {
  initialState, reduce, speakStatus, floorActions, floorRemainingMs, visibleCaucusTabs, channelItems,
  agreementView, talkTimeBars, signals, lobbyEntries, screen, me, codePoints,
} from '../js/state.js';
import { T0, iso, people, welcome, ev, run, participant } from './fixtures.js';

const start = (you = people.a, overrides = {}, seq = 10) => reduce(initialState(), welcome(you, overrides, seq), T0);

test('welcome replaces the room wholesale and sets lastSeq', () => {
  let s = start(people.a, { hand_queue: ['pb'], turn_mode: 'moderated' }, 10);
  assert.equal(s.lastSeq, 10);
  assert.deepEqual(s.room.hand_queue, ['pb']);
  s = reduce(s, welcome(people.a, { hand_queue: [], turn_mode: 'open', title: 'Renamed' }, 15), T0);
  assert.equal(s.lastSeq, 15);
  assert.deepEqual(s.room.hand_queue, []);
  assert.equal(s.room.turn_mode, 'open');
  assert.equal(s.room.title, 'Renamed');
});

test('welcome measures the server clock offset', () => {
  const s = reduce(initialState(), welcome(people.a, {}, 1, T0 + 5000), T0);
  assert.equal(s.clockOffsetMs, 5000);
});

test('replayed events fill the timeline but are not applied again to the snapshot', () => {
  let s = start(people.a, { hand_queue: [], floor_holder: null }, 10);
  s = run(s, reduce,
    ev(4, 'hand_raised', 'pb', { participant: 'pb' }, { replay: true }),
    ev(5, 'floor_granted', 'm1', { participant: 'pb' }, { replay: true }),
    ev(6, 'message', 'pb', { channel: 'joint', text: 'hello' }, { replay: true }));
  assert.deepEqual(s.room.hand_queue, []);
  assert.equal(s.room.floor_holder, null);
  assert.deepEqual(s.timeline.map((e) => e.seq), [4, 5, 6]);
  assert.equal(s.lastSeq, 10);
  assert.ok(!('replay' in s.timeline[0]));
});

test('duplicates are ignored: live seq <= lastSeq, and the same replay twice', () => {
  let s = start(people.a, {}, 10);
  const dupLive = ev(10, 'hand_raised', 'pb', { participant: 'pb' });
  assert.equal(reduce(s, dupLive), s);
  s = reduce(s, ev(7, 'message', 'pa', { channel: 'joint', text: 'x' }, { replay: true }));
  const again = reduce(s, ev(7, 'message', 'pa', { channel: 'joint', text: 'x' }, { replay: true }));
  assert.equal(again, s);
  s = reduce(s, ev(11, 'message', 'pb', { channel: 'joint', text: 'y' }));
  const twice = reduce(s, ev(11, 'message', 'pb', { channel: 'joint', text: 'y' }));
  assert.equal(twice, s);
  assert.deepEqual(s.timeline.map((e) => e.seq), [7, 11]);
});

test('a resume keeps what was shown, in order, with no gap and no duplicate', () => {
  let s = start(people.a, {}, 2);
  s = run(s, reduce,
    ev(1, 'message', 'pa', { channel: 'joint', text: 'one' }, { replay: true }),
    ev(2, 'message', 'pb', { channel: 'joint', text: 'two' }, { replay: true }),
    ev(3, 'message', 'pb', { channel: 'joint', text: 'three' }));
  // The network drops; meanwhile seq 4 and 5 happen. We reconnect with resume_after = 3.
  assert.equal(s.lastSeq, 3);
  s = reduce(s, welcome(people.a, {}, 5), T0);
  s = run(s, reduce,
    ev(4, 'message', 'pb', { channel: 'joint', text: 'four' }, { replay: true }),
    ev(5, 'message', 'm1', { channel: 'joint', text: 'five' }, { replay: true }),
    ev(5, 'message', 'm1', { channel: 'joint', text: 'five' }),  // a late live copy
    ev(6, 'message', 'pa', { channel: 'joint', text: 'six' }));
  assert.deepEqual(channelItems(s).map((i) => i.entry.text), ['one', 'two', 'three', 'four', 'five', 'six']);
  assert.equal(s.lastSeq, 6);
});

test('a welcome for a different person or room starts a fresh timeline', () => {
  let s = start(people.a, {}, 2);
  s = reduce(s, ev(1, 'message', 'pa', { channel: 'joint', text: 'one' }, { replay: true }));
  s = reduce(s, welcome(people.b, {}, 2), T0);
  assert.deepEqual(s.timeline, []);
});

test('lobby: joined, rules accepted, admitted moves the room into session', () => {
  let s = start(people.med, { state: 'scheduled', participants: [people.med] }, 3);
  s = reduce(s, ev(4, 'joined_lobby', 'pa', { participant: 'pa', name: 'Aigerim', role: 'party', side: 'A' }));
  assert.equal(s.room.state, 'lobby');
  assert.deepEqual(lobbyEntries(s).map((p) => p.id), ['pa']);
  assert.equal(lobbyEntries(s)[0].rules_accepted, false);
  s = reduce(s, ev(5, 'rules_accepted', 'pa', { participant: 'pa' }));
  assert.equal(lobbyEntries(s)[0].rules_accepted, true);
  s = reduce(s, ev(6, 'admitted', 'm1', { participant: 'pa' }));
  assert.equal(s.room.state, 'in_session');
  assert.deepEqual(lobbyEntries(s), []);
});

test('a party in the lobby sees the lobby screen, then the room once admitted; denied means removed', () => {
  const waiting = participant('pa', 'Aigerim', 'party', 'A', { state: 'lobby', rules_accepted: false });
  let s = start(people.a, { state: 'lobby', participants: [people.med, waiting] }, 3);
  assert.equal(screen(s), 'lobby');
  assert.equal(speakStatus(s).reason, 'lobby');
  s = reduce(s, ev(4, 'rules_accepted', 'pa', { participant: 'pa' }));
  assert.equal(me(s).rules_accepted, true);
  const admitted = reduce(s, ev(5, 'admitted', 'm1', { participant: 'pa' }));
  assert.equal(screen(admitted), 'room');
  const denied = reduce(s, ev(5, 'denied', 'm1', { participant: 'pa' }));
  assert.equal(screen(denied), 'removed');
});

test('moderated floor: hands queue in order, a grant takes the head, release frees the floor', () => {
  let s = start(people.a, { turn_mode: 'moderated' }, 10);
  assert.deepEqual(speakStatus(s), { ok: false, reason: 'not_your_turn', composeOnly: true });
  assert.deepEqual(floorActions(s), { raise: true, lower: false, yield: false });
  s = run(s, reduce,
    ev(11, 'hand_raised', 'pa', { participant: 'pa' }),
    ev(12, 'hand_raised', 'pb', { participant: 'pb' }));
  assert.deepEqual(s.room.hand_queue, ['pa', 'pb']);
  assert.deepEqual(floorActions(s), { raise: false, lower: true, yield: false });
  s = reduce(s, ev(13, 'floor_granted', 'm1', { participant: 'pa', deadline: iso(T0 + 73000) }));
  assert.equal(s.room.floor_holder, 'pa');
  assert.deepEqual(s.room.hand_queue, ['pb']);
  assert.deepEqual(speakStatus(s), { ok: true, reason: null });
  assert.deepEqual(floorActions(s), { raise: false, lower: false, yield: true });
  s = reduce(s, ev(14, 'floor_released', 'system', { participant: 'pa', reason: 'expired' }));
  assert.equal(s.room.floor_holder, null);
  assert.equal(s.room.floor_deadline, null);
  assert.equal(speakStatus(s).reason, 'not_your_turn');
});

test('the countdown uses the server clock, not the browser clock', () => {
  // Server is 5 s ahead of this browser.
  let s = reduce(initialState(), welcome(people.a, { turn_mode: 'moderated' }, 10, T0 + 5000), T0);
  s = reduce(s, ev(11, 'floor_granted', 'm1', { participant: 'pb', deadline: iso(T0 + 65000) }));
  assert.equal(floorRemainingMs(s, T0), 60000);
  assert.equal(floorRemainingMs(s, T0 + 70000), 0);
  s = reduce(s, ev(12, 'floor_released', 'pb', { participant: 'pb', reason: 'yielded' }));
  assert.equal(floorRemainingMs(s, T0), null);
});

test('a late welcome never makes a turn look longer than its length', () => {
  // The welcome left the server 2 s before this browser read it: the offset lags by 2 s.
  let s = reduce(initialState(), welcome(people.a, { turn_mode: 'moderated', turn_seconds: 60 }, 10, T0), T0 + 2000);
  s = reduce(s, ev(11, 'floor_granted', 'm1', { participant: 'pb', deadline: iso(T0 + 60000) }));
  assert.equal(floorRemainingMs(s, T0 + 2000), 60000);
  assert.equal(floorRemainingMs(s, T0 + 32000), 30000);
});

test('who may speak, and why not', () => {
  const base = start(people.a, {}, 10);
  assert.deepEqual(speakStatus(base), { ok: true, reason: null });
  assert.equal(speakStatus(reduce(base, ev(11, 'muted', 'm1', { participant: 'pa' }))).reason, 'muted');
  assert.equal(speakStatus(run(base, reduce, ev(11, 'muted', 'm1', { participant: 'pa' }), ev(12, 'unmuted', 'm1', { participant: 'pa' }))).ok, true);
  assert.equal(speakStatus(reduce(base, ev(11, 'paused', 'm1'))).reason, 'paused');
  assert.equal(speakStatus(run(base, reduce, ev(11, 'paused', 'm1'), ev(12, 'resumed', 'm1'))).ok, true);
  assert.equal(speakStatus(reduce(base, ev(11, 'session_ended', 'm1'))).reason, 'ended');
  assert.equal(speakStatus(reduce(base, ev(11, 'removed', 'm1', { participant: 'pa', reason: '' }))).reason, 'removed');
  assert.equal(speakStatus(base, 'c9').reason, 'caucus_closed');
  const obs = start(people.obs, { participants: [people.med, people.a, people.obs] });
  assert.equal(speakStatus(obs).reason, 'observer');
  // Mediators always speak, even in moderated mode without the floor.
  const med = start(people.med, { turn_mode: 'moderated' });
  assert.deepEqual(speakStatus(med), { ok: true, reason: null });
  assert.deepEqual(floorActions(med), { raise: false, lower: false, yield: false });
  assert.equal(speakStatus(initialState()).reason, 'connecting');
});

test('caucus: opened, joined, left, closed; only members and mediators see it', () => {
  let med = start(people.med, {}, 10);
  med = reduce(med, ev(11, 'caucus_opened', 'm1', { caucus: 'c1', members: ['m1', 'pa'], title: 'Side A' }));
  assert.deepEqual(med.room.caucuses, [{ id: 'c1', title: 'Side A', members: ['m1', 'pa'], attending: ['m1'] }]);
  med = reduce(med, ev(12, 'caucus_left', 'm1', { caucus: 'c1', participant: 'm1' }));
  assert.deepEqual(med.room.caucuses[0].attending, []);
  assert.equal(visibleCaucusTabs(med)[0].attendingMe, false);
  med = reduce(med, ev(13, 'caucus_joined', 'm1', { caucus: 'c1', participant: 'm1' }));
  assert.equal(visibleCaucusTabs(med)[0].attendingMe, true);
  med = reduce(med, ev(14, 'message', 'pa', { channel: 'c1', text: 'only for the mediator', shareable: true }));
  assert.deepEqual(channelItems(med, 'joint').filter((i) => i.type === 'message'), []);
  const inCaucus = channelItems(med, 'c1').filter((i) => i.type === 'message');
  assert.equal(inCaucus[0].entry.text, 'only for the mediator');
  assert.equal(inCaucus[0].entry.shareable, true);
  assert.deepEqual(speakStatus(med, 'c1'), { ok: true, reason: null });
  med = reduce(med, ev(15, 'caucus_closed', 'm1', { caucus: 'c1' }));
  assert.deepEqual(med.room.caucuses, []);
  // The closed caucus stays readable, marked closed, and nobody can write into it.
  assert.deepEqual(visibleCaucusTabs(med).map((c) => [c.id, c.closed]), [['c1', true]]);
  assert.equal(speakStatus(med, 'c1').reason, 'caucus_closed');

  const partyB = start(people.b, { caucuses: [{ id: 'c2', title: 'A', members: ['m1', 'pa'], attending: [] }] });
  assert.deepEqual(visibleCaucusTabs(partyB), []);
  assert.equal(speakStatus(partyB, 'c2').reason, 'not_member');
  const partyA = start(people.a, { caucuses: [{ id: 'c2', title: 'A', members: ['m1', 'pa'], attending: [] }] });
  assert.deepEqual(visibleCaucusTabs(partyA).map((c) => c.id), ['c2']);
  // Caucus messages are not blocked by the joint channel's turn rules.
  const moderated = start(people.a, { turn_mode: 'moderated', caucuses: [{ id: 'c2', title: 'A', members: ['m1', 'pa'], attending: [] }] });
  assert.equal(speakStatus(moderated, 'joint').reason, 'not_your_turn');
  assert.deepEqual(speakStatus(moderated, 'c2'), { ok: true, reason: null });
});

test('interpreter renderings are attached under the message they translate', () => {
  let s = start(people.a, { participants: [people.med, people.a, people.b, people.int] }, 10);
  s = run(s, reduce,
    ev(11, 'message', 'pa', { channel: 'joint', text: 'Сәлеметсіз бе' }),
    ev(12, 'message', 'in', { channel: 'joint', text: 'Здравствуйте', translates: 11 }),
    ev(13, 'message', 'pb', { channel: 'joint', text: 'Привет' }));
  const items = channelItems(s).filter((i) => i.type === 'message');
  assert.deepEqual(items.map((i) => i.entry.seq), [11, 13]);
  assert.deepEqual(items[0].renderings.map((r) => r.text), ['Здравствуйте']);
  const interp = start(people.int, { participants: [people.med, people.a, people.int], turn_mode: 'moderated' });
  assert.equal(speakStatus(interp).ok, true);
});

test('agreement: draft, signatures, a redraft voids them', () => {
  let s = start(people.a, {}, 10);
  assert.equal(agreementView(s).canSign, false);
  s = reduce(s, ev(11, 'agreement_drafted', 'm1', { version: 1, text: 'We agree.' }));
  let a = agreementView(s);
  assert.equal(a.version, 1);
  assert.equal(a.canSign, true);
  assert.deepEqual(a.pending.map((p) => p.id), ['pa', 'pb']);
  s = run(s, reduce,
    ev(12, 'agreement_signed', 'pa', { version: 1, participant: 'pa' }),
    ev(13, 'agreement_signed', 'pb', { version: 1, participant: 'pb' }));
  a = agreementView(s);
  assert.equal(a.signedByMe, true);
  assert.equal(a.canSign, false);
  assert.deepEqual(a.signatures.map((x) => x.participant), ['pa', 'pb']);
  assert.equal(a.signatures[0].at, iso(T0 + 12000));
  s = run(s, reduce,
    ev(14, 'agreement_drafted', 'm1', { version: 2, text: 'We agree, revised.' }),
    ev(15, 'agreement_voided', 'system', { version: 1, participant: 'pa' }),
    ev(16, 'agreement_voided', 'system', { version: 1, participant: 'pb' }));
  a = agreementView(s);
  assert.equal(a.version, 2);
  assert.equal(a.text, 'We agree, revised.');
  assert.deepEqual(a.signatures, []);
  assert.equal(a.canSign, true);
  // A signature for a stale version changes nothing.
  assert.deepEqual(agreementView(reduce(s, ev(17, 'agreement_signed', 'pa', { version: 1, participant: 'pa' }))).signatures, []);
  // Voiding a signature of the current version removes it.
  s = run(s, reduce,
    ev(17, 'agreement_signed', 'pa', { version: 2, participant: 'pa' }),
    ev(18, 'agreement_voided', 'm1', { version: 2, participant: 'pa' }));
  assert.deepEqual(agreementView(s).signatures, []);
  // Advisors and mediators do not sign.
  assert.equal(agreementView(start(people.med, { agreement: { version: 1, text: 'x', signatures: [] } })).canSign, false);
});

test('talk time: starts from the snapshot, counts joint messages and floor time live', () => {
  const talk_time = {
    participants: { pa: { floor_ms: 60000, messages: 2, characters: 20 }, pb: { floor_ms: 0, messages: 0, characters: 0 } },
    sides: { A: { floor_ms: 60000, messages: 2, characters: 20 } },
  };
  let s = reduce(initialState(), { ...welcome(people.med, { turn_mode: 'moderated' }, 10), room: { ...welcome(people.med, { turn_mode: 'moderated' }).room, talk_time } }, T0);
  s = run(s, reduce,
    ev(11, 'message', 'pb', { channel: 'joint', text: 'Қазақ' }, { at: T0 + 1000 }),   // 5 code points, 10 bytes
    ev(12, 'message', 'pb', { channel: 'c1', text: 'not counted' }, { at: T0 + 2000 }),
    ev(13, 'floor_granted', 'm1', { participant: 'pb' }, { at: T0 + 10000 }));
  let bars = talkTimeBars(s, T0 + 40000);
  const row = (list, key) => list.find((r) => r.key === key);
  assert.equal(row(bars.participants, 'pb').messages, 1);
  assert.equal(row(bars.participants, 'pb').characters, 5);
  assert.equal(row(bars.participants, 'pb').floor_ms, 30000);  // running turn, live
  assert.equal(row(bars.sides, 'B').floor_ms, 30000);
  assert.equal(row(bars.sides, 'A').floor_ms, 60000);
  assert.equal(row(bars.sides, 'A').floorShare, 1);
  assert.equal(row(bars.sides, 'B').floorShare, 0.5);
  s = reduce(s, ev(14, 'floor_released', 'pb', { participant: 'pb', reason: 'yielded' }, { at: T0 + 70000 }));
  bars = talkTimeBars(s, T0 + 999999);
  assert.equal(row(bars.participants, 'pb').floor_ms, 60000);
  assert.equal(row(bars.sides, 'B').floor_ms, 60000);
  // Parties do not get talk time at all.
  assert.equal(talkTimeBars(start(people.a), T0), null);
});

test('talk time: a turn running at welcome is timed from its replayed grant', () => {
  const w = welcome(people.med, { turn_mode: 'moderated', floor_holder: 'pa' }, 10, T0 + 20000);
  w.room.talk_time = { participants: {}, sides: {} };
  let s = reduce(initialState(), w, T0 + 20000);
  s = reduce(s, ev(8, 'floor_granted', 'm1', { participant: 'pa' }, { replay: true, at: T0 }));
  const bars = talkTimeBars(s, T0 + 30000);
  assert.equal(bars.participants.find((r) => r.key === 'pa').floor_ms, 30000);
});

test('presence and private signals', () => {
  let s = start(people.med, {}, 10);
  s = reduce(s, { type: 'presence', participant: 'pb', online: false });
  assert.equal(s.room.participants.find((p) => p.id === 'pb').online, false);
  s = reduce(s, ev(11, 'mediator_signalled', 'pa', { text: 'I need a minute' }));
  assert.deepEqual(signals(s).map((e) => [e.actor, e.text]), [['pa', 'I need a minute']]);
  // A signal is not a notice in the joint channel.
  assert.deepEqual(channelItems(s).filter((i) => i.entry.kind === 'mediator_signalled'), []);
});

test('ack, error and unknown frames leave the state alone', () => {
  const s = start();
  assert.equal(reduce(s, { type: 'ack', id: 'x-1', seq: 11 }), s);
  assert.equal(reduce(s, { type: 'error', id: 'x-1', code: 'muted', message: 'm' }), s);
  assert.equal(reduce(s, { type: 'mystery' }), s);
  assert.equal(reduce(s, null), s);
});

test('characters are counted in code points', () => {
  assert.equal(codePoints('Қазақ'), 5);
  assert.equal(codePoints('👍🏽'), 2);
});
