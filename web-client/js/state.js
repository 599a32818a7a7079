// The room as this browser knows it: a pure reducer over server messages, plus selectors.
// No DOM, no clock, no sockets: time comes in as arguments, so Node tests can drive it.
//
// Resume rules (protocol v1): `welcome` REPLACES the room with its snapshot and sets lastSeq;
// replayed events (replay:true) only fill the timeline; live events with seq <= lastSeq are
// duplicates and are ignored; live events after that are applied to the room and the timeline.

export const JOINT = 'joint';

export function initialState() {
  return {
    you: null,          // {id, name, role, side}
    room: null,         // the welcome snapshot, kept up to date by live events
    lastSeq: 0,         // seq of the last event applied to `room`
    timeline: [],       // every event seen (live or replayed), sorted by seq, no duplicates
    clockOffsetMs: 0,   // server clock minus this browser's clock, measured at welcome
    talk: null,         // mediators only: live talk-time accounting (see talkTimeBars)
  };
}

export function parseTime(value) {
  if (value == null) return null;
  if (typeof value === 'number') return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Unicode code points, as the server counts characters. */
export function codePoints(text) {
  let n = 0;
  for (const _ of String(text ?? '')) n += 1;
  return n;
}

/**
 * The reducer. `receivedAt` (ms, this browser's clock) is only used for the clock offset of a
 * welcome; leave it out in tests that do not care.
 */
export function reduce(state, msg, receivedAt) {
  if (!msg || typeof msg !== 'object') return state;
  switch (msg.type) {
    case 'welcome': return onWelcome(state, msg, receivedAt);
    case 'event': return onEvent(state, msg);
    case 'presence': return onPresence(state, msg);
    default: return state;  // ack / error belong to the outbox
  }
}

function onWelcome(state, msg, receivedAt) {
  const room = normalizeRoom(msg.room ?? {});
  const you = { id: msg.you?.id, name: msg.you?.name ?? '', role: msg.you?.role ?? 'party', side: msg.you?.side ?? null };
  // Keep what we already showed only if this is the same person in the same room (a resume).
  const sameViewer = state.you && state.room && state.you.id === you.id && state.room.id === room.id;
  const timeline = sameViewer ? state.timeline : [];
  const serverMs = parseTime(msg.server_time);
  const seq = Number(msg.seq) || 0;
  let talk = null;
  if (msg.room && msg.room.talk_time) {
    const tt = msg.room.talk_time;
    talk = {
      participants: cloneCounters(tt.participants),
      sides: cloneCounters(tt.sides),
      open: room.floor_holder ? { participant: room.floor_holder, since: null } : null,
      snapshotAt: serverMs,
      snapshotSeq: seq,
    };
    talk = findOpenTurnStart(talk, timeline);
  }
  return {
    ...state,
    you,
    room,
    lastSeq: seq,
    timeline,
    clockOffsetMs: serverMs != null && receivedAt != null ? serverMs - receivedAt : state.clockOffsetMs,
    talk,
  };
}

function normalizeRoom(r) {
  return {
    id: r.id ?? null,
    title: r.title ?? '',
    language: r.language ?? null,
    rules: r.rules ?? '',
    state: r.state ?? 'scheduled',
    participants: (r.participants ?? []).map((p) => ({
      id: p.id, name: p.name ?? '', role: p.role ?? 'party', side: p.side ?? null,
      state: p.state ?? 'lobby', online: !!p.online, rules_accepted: !!p.rules_accepted, muted: !!p.muted,
    })),
    turn_mode: r.turn_mode ?? 'open',
    turn_seconds: r.turn_seconds ?? 0,
    order: [...(r.order ?? [])],
    floor_holder: r.floor_holder ?? null,
    floor_deadline: r.floor_deadline ?? null,
    hand_queue: [...(r.hand_queue ?? [])],
    caucuses: (r.caucuses ?? []).map((c) => ({
      id: c.id, title: c.title ?? '', members: [...(c.members ?? [])], attending: [...(c.attending ?? [])],
    })),
    agreement: {
      version: r.agreement?.version ?? 0,
      text: r.agreement?.text ?? '',
      signatures: (r.agreement?.signatures ?? []).map((s) => ({ ...s })),
    },
  };
}

function cloneCounters(map) {
  const out = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    out[k] = { floor_ms: v.floor_ms ?? 0, messages: v.messages ?? 0, characters: v.characters ?? 0 };
  }
  return out;
}

// The snapshot says who holds the floor but not since when; the grant is in the history.
function findOpenTurnStart(talk, timeline) {
  if (!talk.open || talk.open.since != null) return talk;
  for (let i = timeline.length - 1; i >= 0; i -= 1) {
    const e = timeline[i];
    if (e.seq > talk.snapshotSeq) continue;
    if (e.kind === 'floor_granted' && e.participant === talk.open.participant) {
      return { ...talk, open: { ...talk.open, since: parseTime(e.ts) } };
    }
  }
  return talk;
}

function onPresence(state, msg) {
  if (!state.room) return state;
  return updateParticipant(state, msg.participant, { online: !!msg.online });
}

function onEvent(state, msg) {
  const seq = Number(msg.seq);
  if (!Number.isFinite(seq)) return state;
  const entry = eventEntry(msg);
  if (msg.replay) {
    // History only: the welcome snapshot already contains its effect.
    const timeline = insertBySeq(state.timeline, entry);
    if (timeline === state.timeline) return state;
    let talk = state.talk;
    if (talk && talk.open && talk.open.since == null && entry.kind === 'floor_granted'
        && entry.participant === talk.open.participant && seq <= talk.snapshotSeq) {
      talk = { ...talk, open: { ...talk.open, since: parseTime(entry.ts) } };
    }
    return { ...state, timeline, talk };
  }
  if (seq <= state.lastSeq) return state;  // already applied (duplicate or covered by a welcome)
  let next = { ...state, lastSeq: seq, timeline: insertBySeq(state.timeline, entry) };
  if (next.room) next = applyEvent(next, entry);
  return next;
}

function eventEntry(msg) {
  const { type: _t, replay: _r, ...rest } = msg;
  return { ...rest, seq: Number(msg.seq) };
}

function insertBySeq(timeline, entry) {
  const n = timeline.length;
  if (n === 0 || timeline[n - 1].seq < entry.seq) return [...timeline, entry];
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timeline[mid].seq < entry.seq) lo = mid + 1; else hi = mid;
  }
  if (lo < n && timeline[lo].seq === entry.seq) return timeline;
  return [...timeline.slice(0, lo), entry, ...timeline.slice(lo)];
}

function updateParticipant(state, id, patch) {
  const participants = state.room.participants;
  const i = participants.findIndex((p) => p.id === id);
  if (i < 0) return state;
  const copy = participants.slice();
  copy[i] = { ...copy[i], ...patch };
  return { ...state, room: { ...state.room, participants: copy } };
}

function withRoom(state, patch) {
  return { ...state, room: { ...state.room, ...patch } };
}

function without(list, id) {
  return list.includes(id) ? list.filter((x) => x !== id) : list;
}

function findParticipant(state, id) {
  return state.room?.participants.find((p) => p.id === id) ?? null;
}

function applyEvent(state, e) {
  const room = state.room;
  switch (e.kind) {
    case 'room_created':
      return withRoom(state, {
        title: e.title ?? room.title, language: e.language ?? room.language, rules: e.rules ?? room.rules,
        turn_mode: e.mode ?? room.turn_mode, turn_seconds: e.turn_seconds ?? room.turn_seconds,
      });
    case 'joined_lobby': {
      const existing = findParticipant(state, e.participant);
      const base = existing ?? { id: e.participant, online: true, rules_accepted: false, muted: false };
      const p = { ...base, name: e.name ?? base.name ?? '', role: e.role ?? base.role ?? 'party', side: e.side ?? null, state: 'lobby' };
      const participants = existing
        ? room.participants.map((x) => (x.id === p.id ? p : x))
        : [...room.participants, p];
      return withRoom(state, { participants, state: room.state === 'scheduled' ? 'lobby' : room.state });
    }
    case 'rules_accepted':
      return updateParticipant(state, e.participant, { rules_accepted: true });
    case 'admitted': {
      const next = updateParticipant(state, e.participant, { state: 'admitted' });
      const p = findParticipant(next, e.participant);
      const firstParty = p && p.role !== 'mediator' && (room.state === 'lobby' || room.state === 'scheduled');
      return firstParty ? withRoom(next, { state: 'in_session' }) : next;
    }
    case 'denied':
    case 'removed': {
      const next = updateParticipant(state, e.participant, { state: 'removed' });
      const r = next.room;
      return withRoom(next, {
        hand_queue: without(r.hand_queue, e.participant),
        floor_holder: r.floor_holder === e.participant ? null : r.floor_holder,
        floor_deadline: r.floor_holder === e.participant ? null : r.floor_deadline,
      });
    }
    case 'message':
      return countMessage(state, e);
    case 'hand_raised':
      return room.hand_queue.includes(e.participant) ? state
        : withRoom(state, { hand_queue: [...room.hand_queue, e.participant] });
    case 'hand_lowered':
      return withRoom(state, { hand_queue: without(room.hand_queue, e.participant) });
    case 'floor_granted': {
      let next = closeTurn(state, parseTime(e.ts));
      next = withRoom(next, {
        floor_holder: e.participant, floor_deadline: e.deadline ?? null,
        hand_queue: without(next.room.hand_queue, e.participant),
      });
      if (next.talk) next = { ...next, talk: { ...next.talk, open: { participant: e.participant, since: parseTime(e.ts) } } };
      return next;
    }
    case 'floor_released': {
      const next = closeTurn(state, parseTime(e.ts));
      if (next.room.floor_holder !== e.participant) return next;
      return withRoom(next, { floor_holder: null, floor_deadline: null });
    }
    case 'turn_mode_changed':
      return withRoom(state, { turn_mode: e.mode ?? room.turn_mode, turn_seconds: e.turn_seconds ?? 0, order: [...(e.order ?? [])] });
    case 'caucus_opened': {
      if (room.caucuses.some((c) => c.id === e.caucus)) return state;
      const members = [...(e.members ?? [])];
      const opener = findParticipant(state, e.actor);
      const attending = opener && opener.role === 'mediator' ? [e.actor] : [];
      return withRoom(state, { caucuses: [...room.caucuses, { id: e.caucus, title: e.title ?? '', members, attending }] });
    }
    case 'caucus_closed':
      return withRoom(state, { caucuses: room.caucuses.filter((c) => c.id !== e.caucus) });
    case 'caucus_joined':
      return withRoom(state, {
        caucuses: room.caucuses.map((c) => (c.id === e.caucus && !c.attending.includes(e.participant)
          ? { ...c, attending: [...c.attending, e.participant] } : c)),
      });
    case 'caucus_left':
      return withRoom(state, {
        caucuses: room.caucuses.map((c) => (c.id === e.caucus ? { ...c, attending: without(c.attending, e.participant) } : c)),
      });
    case 'muted':
      return updateParticipant(state, e.participant, { muted: true });
    case 'unmuted':
      return updateParticipant(state, e.participant, { muted: false });
    case 'paused':
      return withRoom(state, { state: 'paused' });
    case 'resumed':
      return withRoom(state, { state: 'in_session' });
    case 'session_ended': {
      const next = closeTurn(state, parseTime(e.ts));
      return withRoom(next, { state: 'ended', floor_holder: null, floor_deadline: null, hand_queue: [] });
    }
    case 'agreement_drafted':
      // A new version voids every earlier signature (the server also sends agreement_voided).
      return withRoom(state, { agreement: { version: e.version, text: e.text ?? '', signatures: [] } });
    case 'agreement_signed': {
      const a = room.agreement;
      if (e.version !== a.version || a.signatures.some((s) => s.participant === e.participant && s.version === e.version)) return state;
      return withRoom(state, { agreement: { ...a, signatures: [...a.signatures, { participant: e.participant, version: e.version, at: e.ts }] } });
    }
    case 'agreement_voided': {
      const a = room.agreement;
      return withRoom(state, {
        agreement: { ...a, signatures: a.signatures.filter((s) => !(s.participant === e.participant && s.version === e.version)) },
      });
    }
    default:
      return state;  // mediator_signalled and unknown kinds: timeline only
  }
}

function addCounters(map, key, delta) {
  const cur = map[key] ?? { floor_ms: 0, messages: 0, characters: 0 };
  return {
    ...map,
    [key]: {
      floor_ms: cur.floor_ms + (delta.floor_ms ?? 0),
      messages: cur.messages + (delta.messages ?? 0),
      characters: cur.characters + (delta.characters ?? 0),
    },
  };
}

function sideOf(state, id) {
  return findParticipant(state, id)?.side ?? null;
}

// Participants without a side count for themselves only (as on the server).
function creditTalk(state, participant, delta) {
  const talk = state.talk;
  const side = sideOf(state, participant);
  return {
    ...state,
    talk: {
      ...talk,
      participants: addCounters(talk.participants, participant, delta),
      sides: side ? addCounters(talk.sides, side, delta) : talk.sides,
    },
  };
}

function countMessage(state, e) {
  if (!state.talk || e.channel !== JOINT || !findParticipant(state, e.actor)) return state;
  return creditTalk(state, e.actor, { messages: 1, characters: codePoints(e.text) });
}

// Ends the running turn (if any) at `at`, crediting its floor time.
function closeTurn(state, at) {
  const talk = state.talk;
  if (!talk || !talk.open) return state;
  const since = talk.open.since ?? talk.snapshotAt;
  const ms = since != null && at != null ? Math.max(0, at - since) : 0;
  const credited = creditTalk(state, talk.open.participant, { floor_ms: ms });
  return { ...credited, talk: { ...credited.talk, open: null } };
}

// ---------------------------------------------------------------- selectors

export function participantById(state, id) {
  return findParticipant(state, id);
}

/** The viewer's own participant record (live state, muted flag), falling back to `you`. */
export function me(state) {
  if (!state.you) return null;
  const p = findParticipant(state, state.you.id);
  return p ? { ...state.you, ...p } : { ...state.you, state: state.you.role === 'mediator' ? 'admitted' : 'lobby', muted: false, rules_accepted: false };
}

export function isMediator(state) {
  return state.you?.role === 'mediator';
}

/** Why the viewer was removed, if they were and a reason was given (shown to them). */
export function removalReason(state) {
  const id = state.you?.id;
  for (let i = state.timeline.length - 1; i >= 0; i -= 1) {
    const e = state.timeline[i];
    if ((e.kind === 'removed' || e.kind === 'denied') && e.participant === id) return e.reason || null;
  }
  return null;
}

/** Which screen the viewer belongs on: connecting | lobby | room | removed. */
export function screen(state) {
  const m = me(state);
  if (!m || !state.room) return 'connecting';
  if (m.state === 'removed') return 'removed';
  if (m.state === 'lobby' && m.role !== 'mediator') return 'lobby';
  return 'room';
}

/**
 * Whether the viewer may post in `channel`, and if not, why (a dictionary key suffix):
 * connecting | lobby | removed | ended | observer | muted | paused | not_member | caucus_closed | not_your_turn
 * `composeOnly` reasons still let the person type ahead (the send button is what is blocked).
 */
export function speakStatus(state, channel = JOINT) {
  const m = me(state);
  const room = state.room;
  if (!m || !room) return { ok: false, reason: 'connecting' };
  if (m.state === 'removed') return { ok: false, reason: 'removed' };
  if (room.state === 'ended') return { ok: false, reason: 'ended' };
  if (m.state === 'lobby' && m.role !== 'mediator') return { ok: false, reason: 'lobby' };
  if (m.role === 'observer') return { ok: false, reason: 'observer' };
  if (channel !== JOINT) {
    const c = room.caucuses.find((x) => x.id === channel);
    if (!c) return { ok: false, reason: 'caucus_closed' };
    if (m.role !== 'mediator' && !c.members.includes(m.id)) return { ok: false, reason: 'not_member' };
  }
  if (m.muted) return { ok: false, reason: 'muted', composeOnly: true };
  // Mediators keep their voice during a pause (to say when the session goes on).
  if (room.state === 'paused' && m.role !== 'mediator') return { ok: false, reason: 'paused', composeOnly: true };
  if (channel !== JOINT || m.role === 'mediator' || m.role === 'interpreter') return { ok: true, reason: null };
  if (room.turn_mode === 'open') return { ok: true, reason: null };
  if (room.floor_holder === m.id) return { ok: true, reason: null };
  return { ok: false, reason: 'not_your_turn', composeOnly: true };
}

/** Which floor buttons apply to the viewer now. */
export function floorActions(state) {
  const m = me(state);
  const room = state.room;
  const none = { raise: false, lower: false, yield: false };
  if (!m || !room || m.state !== 'admitted') return none;
  if (m.role !== 'party' && m.role !== 'advisor') return none;
  // While paused only mediators act (the pause signal stays available, see signal.js).
  if (room.state === 'ended' || room.state === 'paused') return none;
  const holding = room.floor_holder === m.id;
  const queued = room.hand_queue.includes(m.id);
  return {
    raise: room.turn_mode === 'moderated' && !holding && !queued,
    lower: queued,
    yield: holding,
  };
}

/** Milliseconds left in the current timed turn, by the server's clock; null when untimed. */
export function floorRemainingMs(state, localNowMs) {
  const deadline = parseTime(state.room?.floor_deadline);
  if (deadline == null || !state.room.floor_holder) return null;
  const left = Math.max(0, deadline - (localNowMs + state.clockOffsetMs));
  // The clock offset is measured when the welcome arrives, so a late welcome makes the server's
  // clock look behind; a turn can still never have more time left than its length.
  const limit = Number(state.room.turn_seconds) > 0 ? Number(state.room.turn_seconds) * 1000 : Infinity;
  return Math.min(left, limit);
}

/** Caucus tabs the viewer may see: open ones, then closed ones still in the history (read-only). */
export function visibleCaucusTabs(state) {
  const room = state.room;
  if (!room) return [];
  const m = me(state);
  const mediator = m?.role === 'mediator';
  const open = room.caucuses
    .filter((c) => mediator || c.members.includes(m?.id))
    .map((c) => ({ ...c, closed: false, attendingMe: c.attending.includes(m?.id) }));
  const openIds = new Set(open.map((c) => c.id));
  const closed = [];
  for (const e of state.timeline) {
    if (e.kind === 'caucus_opened' && !openIds.has(e.caucus) && !closed.some((c) => c.id === e.caucus)) {
      closed.push({ id: e.caucus, title: e.title ?? '', members: [...(e.members ?? [])], attending: [], closed: true, attendingMe: false });
    }
  }
  return [...open, ...closed];
}

const JOINT_NOTICE_KINDS = new Set([
  'room_created', 'joined_lobby', 'admitted', 'denied', 'floor_granted', 'floor_released',
  'turn_mode_changed', 'muted', 'unmuted', 'removed', 'paused', 'resumed', 'session_ended',
  'agreement_drafted', 'agreement_signed', 'agreement_voided',
]);
const CAUCUS_NOTICE_KINDS = new Set(['caucus_opened', 'caucus_closed', 'caucus_joined', 'caucus_left']);

/**
 * What a channel's timeline shows, in seq order: messages (with interpreter renderings attached
 * under the message they translate) and short notices.
 * Items: {type:'message', entry, renderings:[entry]} | {type:'notice', entry}
 */
export function channelItems(state, channel = JOINT) {
  const items = [];
  const bySeq = new Map();
  for (const e of state.timeline) {
    if (e.kind === 'message') {
      if ((e.channel ?? JOINT) !== channel) continue;
      const original = e.translates != null ? bySeq.get(Number(e.translates)) : null;
      if (original) { original.renderings.push(e); continue; }
      const item = { type: 'message', entry: e, renderings: [] };
      bySeq.set(e.seq, item);
      items.push(item);
    } else if (channel === JOINT ? JOINT_NOTICE_KINDS.has(e.kind) : (CAUCUS_NOTICE_KINDS.has(e.kind) && e.caucus === channel)) {
      items.push({ type: 'notice', entry: e });
    }
  }
  return items;
}

/** Private "I need a pause" signals (mediators receive them; newest last). */
export function signals(state) {
  return state.timeline.filter((e) => e.kind === 'mediator_signalled');
}

/** Participants waiting in the lobby, for the mediator's admit/deny list. */
export function lobbyEntries(state) {
  return (state.room?.participants ?? []).filter((p) => p.state === 'lobby' && p.role !== 'mediator');
}

export function admittedParticipants(state) {
  return (state.room?.participants ?? []).filter((p) => p.state === 'admitted');
}

/** The agreement as the viewer sees it, with what they may do. */
export function agreementView(state) {
  const room = state.room;
  const m = me(state);
  if (!room) return null;
  const a = room.agreement;
  const signers = (room.participants ?? []).filter((p) => p.role === 'party' && p.state === 'admitted');
  const signedIds = new Set(a.signatures.filter((s) => s.version === a.version).map((s) => s.participant));
  const signedByMe = !!m && signedIds.has(m.id);
  return {
    version: a.version,
    text: a.text,
    signatures: a.signatures.filter((s) => s.version === a.version),
    pending: signers.filter((p) => !signedIds.has(p.id)),
    signedByMe,
    canSign: !!m && m.role === 'party' && m.state === 'admitted' && a.version > 0 && !signedByMe && room.state !== 'ended',
  };
}

/**
 * The fairness picture: floor time, messages and characters per side and per participant,
 * live (the running turn counts up to `localNowMs`). Null for non-mediators.
 * `share` is each row's part of the largest value of its group, 0..1, for the bar width.
 */
export function talkTimeBars(state, localNowMs) {
  const talk = state.talk;
  if (!talk) return null;
  let participants = talk.participants;
  let sides = talk.sides;
  if (talk.open) {
    const since = talk.open.since ?? talk.snapshotAt;
    const now = localNowMs + state.clockOffsetMs;
    const running = since != null ? Math.max(0, now - since) : 0;
    participants = addCounters(participants, talk.open.participant, { floor_ms: running });
    const side = sideOf(state, talk.open.participant);
    if (side) sides = addCounters(sides, side, { floor_ms: running });
  }
  const rows = (map, ids) => {
    const list = ids.map((id) => ({ key: id, ...(map[id] ?? { floor_ms: 0, messages: 0, characters: 0 }) }));
    const maxFloor = Math.max(0, ...list.map((r) => r.floor_ms));
    const maxChars = Math.max(0, ...list.map((r) => r.characters));
    return list.map((r) => ({
      ...r,
      floorShare: maxFloor > 0 ? r.floor_ms / maxFloor : 0,
      charShare: maxChars > 0 ? r.characters / maxChars : 0,
    }));
  };
  const people = (state.room?.participants ?? []).filter((p) => p.role === 'party' || p.role === 'advisor' || participants[p.id]);
  const sideIds = [...new Set([
    ...people.map((p) => p.side).filter((s) => s),
    ...Object.keys(sides).filter((s) => s),
  ])].sort();
  return {
    sides: rows(sides, sideIds),
    participants: rows(participants, people.filter((p) => p.role !== 'mediator').map((p) => p.id)),
  };
}
