// Builders for server messages, shaped exactly like protocol v1 frames.
export const T0 = Date.parse('2026-11-26T05:00:00.000Z');
export const iso = (ms) => new Date(ms).toISOString();

export function participant(id, name, role, side = null, extra = {}) {
  return { id, name, role, side, state: 'admitted', online: true, rules_accepted: true, muted: false, ...extra };
}

export const people = {
  med: participant('m1', 'Gulnara', 'mediator'),
  a: participant('pa', 'Aigerim', 'party', 'A'),
  b: participant('pb', 'Boris', 'party', 'B'),
  adv: participant('va', 'Dana', 'advisor', 'A'),
  obs: participant('ob', 'Olzhas', 'observer'),
  int: participant('in', 'Ivan', 'interpreter'),
};

export function room(overrides = {}) {
  return {
    id: 'r1', title: 'Neighbours', language: 'kk', rules: 'Be kind.', state: 'in_session',
    participants: [people.med, people.a, people.b],
    turn_mode: 'open', turn_seconds: 0, order: [], floor_holder: null, floor_deadline: null,
    hand_queue: [], caucuses: [], agreement: { version: 0, text: '', signatures: [] },
    ...overrides,
  };
}

export function welcome(you, roomOverrides = {}, seq = 10, serverTime = T0) {
  return {
    type: 'welcome',
    you: { id: you.id, name: you.name, role: you.role, side: you.side },
    room: room(roomOverrides),
    seq,
    server_time: iso(serverTime),
  };
}

export function ev(seq, kind, actor, fields = {}, { replay = false, at = T0 + seq * 1000 } = {}) {
  const e = { type: 'event', seq, ts: iso(at), kind, actor, ...fields };
  if (replay) e.replay = true;
  return e;
}

export function run(state, reduce, ...msgs) {
  return msgs.reduce((s, m) => reduce(s, m), state);
}
