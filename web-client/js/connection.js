// The thin shell around one WebSocket: open, say hello, hand every frame up, reconnect with backoff.
// It knows nothing about rooms; the page decides what a frame means.
import { backoffDelay, FATAL_CODES } from './outbox.js';

export function socketUrl(loc) {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

/**
 * @param {object} o
 * @param {string} o.url
 * @param {() => object} o.hello      builds the first frame (token + resume_after) at each connect
 * @param {(msg: object) => void} o.onMessage
 * @param {(status: {state: string, code?: string, retryInMs?: number}) => void} o.onStatus
 *   states: connecting | online | reconnecting | offline | stopped
 */
export function createConnection({
  url, hello, onMessage, onStatus,
  WebSocketImpl = globalThis.WebSocket,
  timers = { setTimeout: (...a) => globalThis.setTimeout(...a), clearTimeout: (id) => globalThis.clearTimeout(id) },
  random = Math.random,
}) {
  let socket = null;
  let welcomed = false;
  let attempt = 0;
  let timer = null;
  let stopped = false;
  let fatalCode = null;

  function status(state, extra = {}) { onStatus({ state, ...extra }); }

  function open() {
    timers.clearTimeout(timer);
    timer = null;
    if (stopped) return;
    welcomed = false;
    fatalCode = null;
    status(attempt === 0 ? 'connecting' : 'reconnecting');
    let ws;
    try {
      ws = new WebSocketImpl(url);
    } catch {
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.addEventListener('open', () => {
      if (socket === ws) ws.send(JSON.stringify(hello()));
    });
    ws.addEventListener('message', (ev) => {
      if (socket !== ws) return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (msg.type === 'welcome') {
        welcomed = true;
        attempt = 0;
        status('online');
      } else if (msg.type === 'error' && msg.id == null && FATAL_CODES.has(msg.code)) {
        fatalCode = msg.code;
      }
      onMessage(msg);
    });
    ws.addEventListener('close', (ev) => {
      if (socket !== ws) return;
      socket = null;
      welcomed = false;
      if (fatalCode || (ev.code === 1008 && FATAL_CODES.has(ev.reason))) {
        stopped = true;
        status('stopped', { code: fatalCode ?? ev.reason });
        return;
      }
      scheduleRetry();
    });
  }

  function scheduleRetry() {
    if (stopped) return;
    const delay = backoffDelay(attempt, random);
    attempt += 1;
    const offline = globalThis.navigator && globalThis.navigator.onLine === false;
    status(offline ? 'offline' : 'reconnecting', { retryInMs: delay });
    timer = timers.setTimeout(open, delay);
  }

  return {
    start() { stopped = false; attempt = 0; open(); },
    /** Sends now if the room is live on this socket; returns false if it must wait (the outbox keeps it). */
    send(frame) {
      if (!socket || !welcomed || socket.readyState !== 1) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
    /** The network came back, or the person asked: try at once instead of waiting out the backoff. */
    retryNow() {
      if (stopped || (socket && socket.readyState <= 1)) return;
      open();
    },
    /** Drops the current socket and connects again at once (e.g. to fetch history that just became visible). */
    restart() {
      if (stopped) return;
      if (socket) { const s = socket; socket = null; welcomed = false; s.close(1000); }
      attempt = 0;
      open();
    },
    stop() {
      stopped = true;
      timers.clearTimeout(timer);
      if (socket) { const s = socket; socket = null; s.close(1000); }
    },
    get online() { return welcomed; },
  };
}
