import test from 'node:test';
import assert from 'node:assert/strict';
import {
  createOutbox, enqueue, acknowledge, reject, resendFrames, helloFrame, backoffDelay, settle,
  toStored, fromStored, randomPrefix, FATAL_CODES,
} from '../js/outbox.js';

function queued(...commands) {
  let box = createOutbox('tab1');
  const frames = [];
  for (const c of commands) { const r = enqueue(box, c); box = r.outbox; frames.push(r.frame); }
  return { box, frames };
}

test('each command gets a unique id with the tab prefix', () => {
  const { frames } = queued({ type: 'say', channel: 'joint', text: 'a' }, { type: 'raise_hand' });
  assert.deepEqual(frames.map((f) => f.id), ['tab1-1', 'tab1-2']);
  assert.deepEqual(frames[0], { type: 'say', channel: 'joint', text: 'a', id: 'tab1-1' });
  assert.match(randomPrefix(), /^[0-9a-z]{8}$/);
  assert.notEqual(randomPrefix(), randomPrefix());
});

test('after a reconnect, every unanswered command is re-sent with the SAME id, in order', () => {
  const { box, frames } = queued(
    { type: 'say', channel: 'joint', text: 'first' },
    { type: 'say', channel: 'joint', text: 'second' },
    { type: 'raise_hand' });
  const acked = acknowledge(box, frames[0].id);
  const again = resendFrames(acked);
  assert.deepEqual(again, frames.slice(1));
  // Re-sending does not make new ids or new entries.
  assert.deepEqual(resendFrames(acked), again);
  assert.equal(acked.pending.length, 2);
});

test('an ack removes exactly its command; unknown ids change nothing', () => {
  const { box, frames } = queued({ type: 'raise_hand' }, { type: 'yield_floor' });
  const after = acknowledge(box, frames[1].id);
  assert.deepEqual(after.pending.map((p) => p.id), [frames[0].id]);
  assert.equal(acknowledge(after, 'someone-else-7'), after);
  const r = settle(after, { type: 'ack', id: frames[0].id, seq: 42 });
  assert.deepEqual(r.outbox.pending, []);
  assert.equal(r.done.type, 'raise_hand');
  assert.equal(r.seq, 42);
});

test('an error removes its command and hands it back with the error', () => {
  const { box, frames } = queued({ type: 'say', channel: 'joint', text: 'x' }, { type: 'raise_hand' });
  const { outbox, command } = reject(box, frames[0].id);
  assert.equal(command.text, 'x');
  assert.deepEqual(outbox.pending.map((p) => p.id), [frames[1].id]);
  const error = { type: 'error', id: frames[1].id, code: 'not_your_turn', message: 'wait' };
  const r = settle(outbox, error);
  assert.deepEqual(r.outbox.pending, []);
  assert.equal(r.failed.command.type, 'raise_hand');
  assert.equal(r.failed.error.code, 'not_your_turn');
  // An error without an id (e.g. an auth failure) answers no command.
  const none = settle(box, { type: 'error', code: 'unauthorized', message: 'no' });
  assert.equal(none.outbox, box);
  assert.equal(none.failed, undefined);
});

test('hello asks for the whole history on first load and resumes after the last seq later', () => {
  assert.deepEqual(helloFrame('tok', 0), { type: 'hello', v: 1, token: 'tok', resume_after: 0 });
  assert.deepEqual(helloFrame('tok', undefined), { type: 'hello', v: 1, token: 'tok', resume_after: 0 });
  assert.deepEqual(helloFrame('tok', 57), { type: 'hello', v: 1, token: 'tok', resume_after: 57 });
});

test('backoff: 0.5 s doubling to 10 s, with jitter within +-25 %', () => {
  const mid = () => 0.5;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 9].map((n) => backoffDelay(n, mid)), [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  assert.equal(backoffDelay(0, () => 0), 375);
  assert.equal(backoffDelay(10, () => 0.999999), 12500);
  for (let i = 0; i < 50; i += 1) {
    const d = backoffDelay(3);
    assert.ok(d >= 3000 && d <= 5000, String(d));
  }
});

test('auth failures are the ones that stop reconnecting', () => {
  for (const code of ['unauthorized', 'token_expired', 'token_revoked']) assert.ok(FATAL_CODES.has(code));
  for (const code of ['rate_limited', 'internal', 'room_ended']) assert.ok(!FATAL_CODES.has(code));
});

test('the outbox survives a reload through storage, keeping ids; new ids use the new prefix', () => {
  const { box, frames } = queued({ type: 'say', channel: 'joint', text: 'keep me' });
  const restored = fromStored(toStored(box), 'tab2');
  assert.deepEqual(resendFrames(restored), frames);
  const { frame } = enqueue(restored, { type: 'raise_hand' });
  assert.equal(frame.id, 'tab2-1');
  assert.deepEqual(fromStored('not json', 'p').pending, []);
  assert.deepEqual(fromStored(null, 'p').pending, []);
  assert.deepEqual(fromStored('[{"nope":1}]', 'p').pending, []);
});
