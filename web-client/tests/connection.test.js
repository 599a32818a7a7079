import test from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from '../js/connection.js';

// A WebSocket stand-in the test drives by hand.
class FakeSocket {
  static all = [];
  constructor(url) { this.url = url; this.readyState = 0; this.sent = []; this.listeners = {}; FakeSocket.all.push(this); }
  addEventListener(type, fn) { (this.listeners[type] ??= []).push(fn); }
  emit(type, ev = {}) { for (const fn of this.listeners[type] ?? []) fn(ev); }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; }
  // test helpers
  open() { this.readyState = 1; this.emit('open'); }
  receive(obj) { this.emit('message', { data: JSON.stringify(obj) }); }
  drop(code = 1006, reason = '') { this.readyState = 3; this.emit('close', { code, reason }); }
}

function harness() {
  FakeSocket.all = [];
  const timers = [];
  const statuses = [];
  const messages = [];
  let lastSeq = 0;
  const conn = createConnection({
    url: 'wss://example/ws',
    hello: () => ({ type: 'hello', v: 1, token: 't', resume_after: lastSeq }),
    onMessage: (m) => { messages.push(m); if (m.seq) lastSeq = m.seq; },
    onStatus: (s) => statuses.push(s),
    WebSocketImpl: FakeSocket,
    timers: { setTimeout: (fn, ms) => { timers.push({ fn, ms }); return timers.length; }, clearTimeout: () => {} },
    random: () => 0.5,
  });
  const fire = () => timers.shift().fn();
  return { conn, timers, statuses, messages, fire, sockets: FakeSocket.all };
}

test('hello is the first frame; commands wait for the welcome', () => {
  const h = harness();
  h.conn.start();
  const ws = h.sockets[0];
  assert.equal(ws.url, 'wss://example/ws');
  assert.equal(h.conn.send({ type: 'raise_hand', id: 'a-1' }), false);
  ws.open();
  assert.deepEqual(ws.sent, [{ type: 'hello', v: 1, token: 't', resume_after: 0 }]);
  assert.equal(h.conn.send({ type: 'raise_hand', id: 'a-1' }), false);
  ws.receive({ type: 'welcome', seq: 7, you: {}, room: {} });
  assert.equal(h.statuses.at(-1).state, 'online');
  assert.equal(h.conn.send({ type: 'raise_hand', id: 'a-1' }), true);
  assert.deepEqual(ws.sent.at(-1), { type: 'raise_hand', id: 'a-1' });
});

test('a dropped connection reconnects with backoff and resumes after the last seq', () => {
  const h = harness();
  h.conn.start();
  h.sockets[0].open();
  h.sockets[0].receive({ type: 'welcome', seq: 7, you: {}, room: {} });
  h.sockets[0].receive({ type: 'event', seq: 9, kind: 'message' });
  h.sockets[0].drop();
  assert.equal(h.statuses.at(-1).state, 'reconnecting');
  assert.deepEqual(h.timers.map((t) => t.ms), [500]);
  h.fire();
  h.sockets[1].drop();            // fails again before opening
  assert.deepEqual(h.timers.map((t) => t.ms), [1000]);
  h.fire();
  h.sockets[2].open();
  assert.deepEqual(h.sockets[2].sent[0], { type: 'hello', v: 1, token: 't', resume_after: 9 });
  h.sockets[2].receive({ type: 'welcome', seq: 12, you: {}, room: {} });
  h.sockets[2].drop();
  assert.deepEqual(h.timers.map((t) => t.ms), [500], 'a welcome resets the backoff');
});

test('an auth error before the close stops reconnecting and says why', () => {
  for (const code of ['unauthorized', 'token_expired', 'token_revoked']) {
    const h = harness();
    h.conn.start();
    h.sockets[0].open();
    h.sockets[0].receive({ type: 'error', code, message: 'no' });
    h.sockets[0].drop(1008, 'policy');
    assert.deepEqual(h.statuses.at(-1), { state: 'stopped', code });
    assert.equal(h.timers.length, 0);
  }
});

test('a 1008 close for other reasons (too slow, rate limit) reconnects', () => {
  const h = harness();
  h.conn.start();
  h.sockets[0].open();
  h.sockets[0].receive({ type: 'welcome', seq: 1, you: {}, room: {} });
  h.sockets[0].receive({ type: 'error', code: 'rate_limited', message: 'slow down' });
  h.sockets[0].drop(1008, 'too slow');
  assert.equal(h.statuses.at(-1).state, 'reconnecting');
  assert.equal(h.timers.length, 1);
});

test('retryNow skips the wait; stop closes and never reconnects', () => {
  const h = harness();
  h.conn.start();
  h.sockets[0].drop();
  h.conn.retryNow();
  assert.equal(h.sockets.length, 2);
  h.conn.stop();
  assert.equal(h.sockets[1].readyState, 3);
  h.sockets[1].drop();
  h.timers.splice(0).forEach((t) => t.fn());
  assert.equal(h.sockets.length, 2);
});

test('restart drops the socket and says hello again at once (with what hello() says now)', () => {
  const h = harness();
  h.conn.start();
  h.sockets[0].open();
  h.sockets[0].receive({ type: 'welcome', seq: 4, you: {}, room: {} });
  h.conn.restart();
  assert.equal(h.sockets[0].readyState, 3);
  assert.equal(h.sockets.length, 2);
  h.sockets[0].drop();  // the old socket's close must not schedule anything
  assert.equal(h.timers.length, 0);
  h.sockets[1].open();
  assert.deepEqual(h.sockets[1].sent[0], { type: 'hello', v: 1, token: 't', resume_after: 4 });
});
