// Reconnect bookkeeping, pure: which commands are still unanswered, their ids, what to re-send
// after a reconnect, what the hello says, how long to wait before the next attempt.
// A command keeps its id for life, so a re-sent command the server already accepted is answered
// with the original ack and causes nothing new (exactly once).

export const PROTOCOL_VERSION = 1;

/** Errors after which reconnecting cannot help: the invite no longer works. */
export const FATAL_CODES = new Set(['unauthorized', 'token_expired', 'token_revoked', 'unsupported_version']);

export function createOutbox(prefix, pending = []) {
  return { prefix: String(prefix), next: 1, pending: pending.map((p) => ({ ...p })) };
}

/** A per-tab random prefix, so ids stay unique across tabs and reloads of the same invite. */
export function randomPrefix(random = Math.random) {
  let s = '';
  for (let i = 0; i < 8; i += 1) s += Math.floor(random() * 36).toString(36);
  return s;
}

/** Adds a command; returns the new outbox and the frame to send (now, or after the next welcome). */
export function enqueue(outbox, command) {
  const id = `${outbox.prefix}-${outbox.next}`;
  const frame = { ...command, id };
  return {
    outbox: { ...outbox, next: outbox.next + 1, pending: [...outbox.pending, frame] },
    frame,
  };
}

/** An ack answers a command: it is done. Unknown ids (e.g. from before a reload) change nothing. */
export function acknowledge(outbox, id) {
  if (!outbox.pending.some((p) => p.id === id)) return outbox;
  return { ...outbox, pending: outbox.pending.filter((p) => p.id !== id) };
}

/** An error answers a command too: drop it (it will not succeed by retrying) and return it. */
export function reject(outbox, id) {
  const command = outbox.pending.find((p) => p.id === id) ?? null;
  if (!command) return { outbox, command: null };
  return { outbox: { ...outbox, pending: outbox.pending.filter((p) => p.id !== id) }, command };
}

/** Every unanswered command, in the order it was made, with its original id. */
export function resendFrames(outbox) {
  return outbox.pending.map((p) => ({ ...p }));
}

export function pendingOfType(outbox, type) {
  return outbox.pending.filter((p) => p.type === type);
}

/** First frame on every connection. resume_after 0 on a first load asks for the whole visible history. */
export function helloFrame(token, lastSeq) {
  return { type: 'hello', v: PROTOCOL_VERSION, token, resume_after: Number(lastSeq) > 0 ? Number(lastSeq) : 0 };
}

/** 0.5 s doubling to 10 s, with +-25 % jitter so a room's clients do not reconnect in lockstep. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(10000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.75 + 0.5 * random()));
}

/** What a server message means for the outbox: {outbox, done?:frame, failed?:{command, error}}. */
export function settle(outbox, msg) {
  if (msg?.type === 'ack' && msg.id != null) {
    const done = outbox.pending.find((p) => p.id === msg.id) ?? null;
    return { outbox: acknowledge(outbox, msg.id), done, seq: msg.seq };
  }
  if (msg?.type === 'error' && msg.id != null) {
    const { outbox: next, command } = reject(outbox, msg.id);
    return { outbox: next, failed: command ? { command, error: msg } : null };
  }
  return { outbox };
}

/** Serialisable form for sessionStorage (so a reload can re-send what was not acknowledged). */
export function toStored(outbox) {
  return JSON.stringify(outbox.pending);
}

export function fromStored(text, prefix) {
  try {
    const list = JSON.parse(text ?? '[]');
    if (!Array.isArray(list)) return createOutbox(prefix);
    return createOutbox(prefix, list.filter((p) => p && typeof p.id === 'string' && typeof p.type === 'string'));
  } catch {
    return createOutbox(prefix);
  }
}
