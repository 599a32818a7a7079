import test from 'node:test';
import assert from 'node:assert/strict';
import { tokenFromFragment, claimToken, TOKEN_KEY } from '../js/token.js';
import { socketUrl } from '../js/connection.js';

function memoryStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k) => (data.has(k) ? data.get(k) : null), setItem: (k, v) => data.set(k, String(v)), data };
}

test('the token is read from the fragment only', () => {
  assert.equal(tokenFromFragment('#token=abc.def-ghi'), 'abc.def-ghi');
  assert.equal(tokenFromFragment('#lang=kk&token=xyz'), 'xyz');
  assert.equal(tokenFromFragment(''), null);
  assert.equal(tokenFromFragment('#'), null);
  assert.equal(tokenFromFragment('#token='), null);
});

test('claiming moves the token into session storage and wipes it from the address bar', () => {
  const storage = memoryStorage();
  const calls = [];
  const history = { replaceState: (...a) => calls.push(a) };
  const r = claimToken({ hash: '#token=secret', pathname: '/room.html', search: '' }, storage, history);
  assert.deepEqual(r, { token: 'secret', fresh: true });
  assert.equal(storage.getItem(TOKEN_KEY), 'secret');
  assert.deepEqual(calls, [[null, '', '/room.html']]);
  assert.ok(!calls[0][2].includes('secret'));
  // A reload has no fragment any more: the stored token is used.
  const again = claimToken({ hash: '', pathname: '/room.html', search: '' }, storage, history);
  assert.deepEqual(again, { token: 'secret', fresh: false });
  assert.equal(calls.length, 1);
  // The same link opened again is not "fresh" (keeps the outbox).
  assert.equal(claimToken({ hash: '#token=secret', pathname: '/', search: '' }, storage, history).fresh, false);
});

test('the WebSocket URL follows the page scheme and host and never carries the token', () => {
  assert.equal(socketUrl({ protocol: 'https:', host: 'k.example:8443' }), 'wss://k.example:8443/ws');
  assert.equal(socketUrl({ protocol: 'http:', host: '127.0.0.1:8080' }), 'ws://127.0.0.1:8080/ws');
});
