// The mediator console: lobby admit/deny; pause/resume/end; turn mode and turn length;
// grant/revoke the floor; mute/remove; caucuses (open with chosen members, join/leave/close);
// the agreement draft; the private signals. Talk-time bars are their own component.
import { h, reconcile, setText, armed } from '../dom.js';
import { t, tKey, formatTime } from '../i18n.js';
import { lobbyEntries, admittedParticipants, signals, me, visibleCaucusTabs, parseTime, participantById } from '../state.js';
import { displayName, personBadge } from './people.js';

function section(id, titleKey, ...children) {
  const count = h('span', { class: 'section-count', 'aria-hidden': 'true' });
  const summary = h('summary', { class: 'console-summary' }, h('span', { i18n: titleKey }), count);
  const el = h('details', { class: `console-section ${id}`, 'data-testid': id, open: true }, summary, ...children);
  return { el, count };
}

export function mountConsole(root, { send, onGoToChannel }) {
  let modeDirty = false;  // the mediator is editing the mode form: do not overwrite it
  let lastMode = null;
  let latest = null;  // the state of the last render, for click handlers made in earlier renders
  // ---- lobby
  const lobbyList = h('ul', { class: 'row-list', 'data-testid': 'lobby-list' });
  const lobbyEmpty = h('p', { class: 'muted-text', i18n: 'console.lobby_empty' });
  const lobby = section('console-lobby', 'console.lobby', lobbyEmpty, lobbyList);

  // ---- session
  const roomState = h('p', { class: 'room-state', 'data-testid': 'console-room-state' });
  const pauseBtn = h('button', { type: 'button', 'data-testid': 'pause', i18n: 'console.pause', onclick: () => send('pause') });
  const resumeBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'resume', i18n: 'console.resume', onclick: () => send('resume') });
  const endBtn = h('button', { type: 'button', class: 'danger', 'data-testid': 'end-session', i18n: 'console.end' });
  armed(endBtn, 'console.end_confirm', 'console.end', () => send('end_session'));
  const session = section('console-session', 'console.session', roomState, h('div', { class: 'button-row' }, pauseBtn, resumeBtn, endBtn));

  // ---- turns and floor
  const modeSelect = h('select', { id: 'turn-mode-select', 'data-testid': 'turn-mode-select' },
    ['open', 'moderated', 'round'].map((m) => h('option', { value: m, i18n: `modename.${m}` })));
  const secondsInput = h('input', { id: 'turn-seconds', type: 'number', min: '0', max: '3600', step: '1', inputmode: 'numeric', 'data-testid': 'turn-seconds' });
  const orderList = h('ul', { class: 'check-list', 'data-testid': 'round-order-choice' });
  const orderBox = h('fieldset', { class: 'round-order-box', hidden: true }, h('legend', { i18n: 'console.round_order' }), orderList);
  const applyMode = h('button', { type: 'submit', class: 'primary', 'data-testid': 'turn-mode-apply', i18n: 'console.apply_mode' });
  const modeForm = h('form', { class: 'mode-form' },
    h('div', { class: 'field' }, h('label', { for: 'turn-mode-select', i18n: 'console.mode' }), modeSelect),
    h('div', { class: 'field' }, h('label', { for: 'turn-seconds', i18n: 'console.turn_seconds' }), secondsInput,
      h('p', { class: 'field-hint', i18n: 'console.turn_seconds_hint' })),
    orderBox, applyMode);
  const holderText = h('p', { class: 'floor-holder', 'data-testid': 'console-floor-holder' });
  const revokeBtn = h('button', { type: 'button', 'data-testid': 'revoke-floor', i18n: 'console.revoke', onclick: () => send('revoke_floor') });
  const queueList = h('ol', { class: 'row-list', 'data-testid': 'console-hand-queue' });
  const grantSelect = h('select', { id: 'grant-select', 'data-testid': 'grant-select' });
  const grantBtn = h('button', { type: 'button', 'data-testid': 'grant-selected', i18n: 'console.grant' });
  grantBtn.addEventListener('click', () => { if (grantSelect.value) send('grant_floor', { participant: grantSelect.value }); });
  const turns = section('console-turns', 'console.turns', modeForm,
    h('h3', { class: 'floor-subtitle', i18n: 'console.floor' }), holderText, revokeBtn,
    h('h3', { class: 'floor-subtitle', i18n: 'floor.queue' }), queueList,
    h('div', { class: 'field inline' }, h('label', { for: 'grant-select', i18n: 'console.grant_to' }), grantSelect, grantBtn));

  modeSelect.addEventListener('change', () => { modeDirty = true; orderBox.hidden = modeSelect.value !== 'round'; });
  secondsInput.addEventListener('input', () => { modeDirty = true; });
  modeForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const seconds = Math.max(0, Math.min(3600, Math.round(Number(secondsInput.value) || 0)));
    const fields = { mode: modeSelect.value, turn_seconds: seconds };
    if (modeSelect.value === 'round') {
      const order = Array.from(orderList.querySelectorAll('input:checked')).map((i) => i.value);
      if (order.length) fields.order = order;
    }
    modeDirty = false;
    send('set_turn_mode', fields);
  });

  // ---- participants
  const peopleList = h('ul', { class: 'row-list', 'data-testid': 'participant-list' });
  const people = section('console-participants', 'console.participants', peopleList);

  // ---- caucuses
  const caucusTitle = h('input', { id: 'caucus-title', type: 'text', maxlength: '200', 'data-testid': 'caucus-title' });
  const memberList = h('ul', { class: 'check-list', 'data-testid': 'caucus-member-choice' });
  const sideButtons = h('div', { class: 'button-row side-picks' });
  const openCaucusBtn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'caucus-open', i18n: 'console.caucus_open' });
  const caucusForm = h('form', { class: 'caucus-form' },
    h('fieldset', {}, h('legend', { i18n: 'console.caucus_members' }), sideButtons, memberList),
    h('div', { class: 'field' }, h('label', { for: 'caucus-title', i18n: 'console.caucus_title' }), caucusTitle),
    openCaucusBtn);
  const caucusList = h('ul', { class: 'row-list', 'data-testid': 'caucus-list' });
  const caucusEmpty = h('p', { class: 'muted-text', i18n: 'console.caucus_none' });
  const caucus = section('console-caucus', 'console.caucus', caucusEmpty, caucusList,
    h('h3', { class: 'floor-subtitle', i18n: 'console.caucus_new' }), caucusForm);
  caucusForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const members = Array.from(memberList.querySelectorAll('input:checked')).map((i) => i.value);
    if (members.length === 0) return;
    const fields = { members };
    if (caucusTitle.value.trim()) fields.title = caucusTitle.value.trim();
    send('open_caucus', fields);
    caucusTitle.value = '';
    for (const i of memberList.querySelectorAll('input')) i.checked = false;
  });

  // ---- agreement draft
  const draft = h('textarea', { id: 'agreement-draft', rows: '8', class: 'agreement-draft', 'data-testid': 'agreement-draft-input' });
  const draftBtn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'agreement-draft-save' });
  const draftForm = h('form', { class: 'draft-form' },
    h('label', { for: 'agreement-draft', i18n: 'console.draft_label' }), draft,
    h('p', { class: 'field-hint', i18n: 'console.draft_hint' }), draftBtn);
  const drafting = section('console-agreement', 'console.agreement', draftForm);
  let draftDirty = false;
  let draftVersion = -1;
  draft.addEventListener('input', () => { draftDirty = true; });
  draftForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = draft.value.trim();
    if (!text) return;
    draftDirty = false;
    send('draft_agreement', { text });
  });

  // ---- signals
  const signalList = h('ol', { class: 'signal-list', 'data-testid': 'signals-list', reversed: true });
  const signalEmpty = h('p', { class: 'muted-text', i18n: 'console.signals_none' });
  const signalSection = section('console-signals', 'console.signals', signalEmpty, signalList);

  const talkSlot = h('div', { class: 'talk-slot' });
  const heading = h('h2', { class: 'panel-title', id: 'console-heading', i18n: 'console.heading' });
  const panel = h('section', { class: 'mediator-console card', 'data-testid': 'mediator-console', 'aria-labelledby': 'console-heading' },
    heading, signalSection.el, lobby.el, session.el, turns.el, talkSlot, people.el, caucus.el, drafting.el);
  root.append(panel);


  return {
    talkSlot,
    render({ state, pending }) {
      latest = state;
      const room = state.room;
      const m = me(state);
      if (!room || !m) return;
      const busy = (type, field, value) => pending.some((p) => p.type === type && (field == null || p[field] === value));

      // lobby
      const waiting = lobbyEntries(state);
      lobbyEmpty.hidden = waiting.length > 0;
      setText(lobby.count, waiting.length ? String(waiting.length) : '');
      reconcile(lobbyList, waiting, (p) => p.id,
        (p) => {
          const admit = h('button', { type: 'button', class: 'primary', 'data-testid': `admit-${p.id}`, i18n: 'console.admit', onclick: () => send('admit', { participant: p.id }) });
          const deny = h('button', { type: 'button', class: 'danger', 'data-testid': `deny-${p.id}`, i18n: 'console.deny' });
          armed(deny, 'console.deny_confirm', 'console.deny', () => send('deny', { participant: p.id }));
          return h('li', { class: 'row', 'data-testid': `lobby-entry-${p.id}`, 'data-participant': p.id },
            h('div', { class: 'row-main' }, h('span', { class: 'row-name' }), h('span', { class: 'row-badge' }), h('span', { class: 'row-meta' })),
            h('div', { class: 'button-row' }, admit, deny));
        },
        (li, p) => {
          const [main, buttons] = li.children;
          setText(main.children[0], p.name);
          main.children[1].replaceChildren(personBadge(p));
          setText(main.children[2], `${p.rules_accepted ? t('console.rules_accepted') : t('console.rules_not_accepted')} · ${p.online ? t('presence.online') : t('presence.offline')}`);
          buttons.children[0].disabled = busy('admit', 'participant', p.id);
          buttons.children[0].setAttribute('aria-label', t('console.admit_name', { name: p.name }));
          buttons.children[1].setAttribute('aria-label', t('console.deny_name', { name: p.name }));
        });

      // session
      setText(roomState, t('console.room_state', { state: tKey('roomstate', room.state, 'roomstate.scheduled') }));
      roomState.dataset.state = room.state;
      const ended = room.state === 'ended';
      pauseBtn.hidden = room.state === 'paused' || ended;
      resumeBtn.hidden = room.state !== 'paused';
      endBtn.hidden = ended;
      pauseBtn.disabled = busy('pause');
      resumeBtn.disabled = busy('resume');

      // turns
      const modeKey = `${room.turn_mode}/${room.turn_seconds}/${room.order.join(',')}`;
      if (modeKey !== lastMode && !modeDirty) {
        modeSelect.value = room.turn_mode;
        secondsInput.value = String(room.turn_seconds ?? 0);
        orderBox.hidden = room.turn_mode !== 'round';
      }
      lastMode = modeKey;
      for (const opt of modeSelect.options) opt.textContent = t(`modename.${opt.value}`);
      const speakers = admittedParticipants(state).filter((p) => p.role === 'party' || p.role === 'advisor');
      reconcile(orderList, speakers, (p) => p.id,
        // Parties take part in a round by default (as on the server); advisors only if chosen.
        (p) => h('li', {}, h('input', { type: 'checkbox', id: `order-${p.id}`, value: p.id, 'data-testid': `round-order-${p.id}`, checked: p.role === 'party' }), h('label', { for: `order-${p.id}` })),
        (li, p) => setText(li.children[1], `${p.name}${p.side ? ` (${t('side.label', { side: p.side })})` : ''}`));
      if (room.floor_holder) setText(holderText, t('floor.holder', { name: displayName(state, room.floor_holder) }));
      else setText(holderText, t('floor.nobody'));
      revokeBtn.hidden = !room.floor_holder;
      revokeBtn.disabled = busy('revoke_floor');
      reconcile(queueList, room.hand_queue, (id) => id,
        (id) => h('li', { class: 'row', 'data-participant': id },
          h('span', { class: 'row-name' }),
          h('button', { type: 'button', class: 'primary', 'data-testid': `grant-${id}`, i18n: 'console.grant', onclick: () => send('grant_floor', { participant: id }) })),
        (li, id) => {
          setText(li.children[0], displayName(state, id));
          li.children[1].setAttribute('aria-label', t('console.grant_name', { name: displayName(state, id) }));
          li.children[1].disabled = busy('grant_floor', 'participant', id);
        });
      const grantable = admittedParticipants(state).filter((p) => p.role === 'party' || p.role === 'advisor');
      const keep = grantSelect.value;
      reconcile(grantSelect, grantable, (p) => p.id, (p) => h('option', { value: p.id }), (o, p) => setText(o, p.name));
      if (grantable.some((p) => p.id === keep)) grantSelect.value = keep;

      // participants
      // Lobby arrivals are handled above; this list is who is in the session now.
      const everyone = room.participants.filter((p) => p.id !== m.id && p.state === 'admitted');
      reconcile(peopleList, everyone, (p) => p.id,
        (p) => {
          const muteBtn = h('button', { type: 'button', 'data-testid': `mute-${p.id}` });
          muteBtn.addEventListener('click', () => send(muteBtn.dataset.muted === 'true' ? 'unmute' : 'mute', { participant: p.id }));
          const removeBtn = h('button', { type: 'button', class: 'danger', 'data-testid': `remove-${p.id}`, i18n: 'console.remove' });
          armed(removeBtn, 'console.remove_confirm', 'console.remove', () => send('remove', { participant: p.id }));
          return h('li', { class: 'row', 'data-testid': `participant-${p.id}`, 'data-participant': p.id },
            h('div', { class: 'row-main' }, h('span', { class: 'presence', 'aria-hidden': 'true' }), h('span', { class: 'row-name' }), h('span', { class: 'row-badge' }), h('span', { class: 'row-meta' })),
            h('div', { class: 'button-row' }, muteBtn, removeBtn));
        },
        (li, p) => {
          const [main, buttons] = li.children;
          main.children[0].dataset.online = String(p.online);
          setText(main.children[1], p.name);
          main.children[2].replaceChildren(personBadge(p));
          const meta = [p.online ? t('presence.online') : t('presence.offline'), tKey('pstate', p.state, 'pstate.admitted')];
          if (p.muted) meta.push(t('console.muted'));
          setText(main.children[3], meta.join(' · '));
          li.dataset.muted = String(p.muted);
          const [muteBtn, removeBtn] = buttons.children;
          const mediator = p.role === 'mediator';
          buttons.hidden = mediator;
          muteBtn.dataset.muted = String(p.muted);
          muteBtn.dataset.testid = p.muted ? `unmute-${p.id}` : `mute-${p.id}`;
          setText(muteBtn, p.muted ? t('console.unmute') : t('console.mute'));
          muteBtn.setAttribute('aria-label', p.muted ? t('console.unmute_name', { name: p.name }) : t('console.mute_name', { name: p.name }));
          removeBtn.setAttribute('aria-label', t('console.remove_name', { name: p.name }));
          muteBtn.disabled = busy('mute', 'participant', p.id) || busy('unmute', 'participant', p.id);
        });

      // caucuses
      const tabs = visibleCaucusTabs(state).filter((c) => !c.closed);
      caucusEmpty.hidden = tabs.length > 0;
      setText(caucus.count, tabs.length ? String(tabs.length) : '');
      reconcile(caucusList, tabs, (c) => c.id,
        (c) => h('li', { class: 'row caucus-row', 'data-testid': `caucus-${c.id}`, 'data-caucus': c.id },
          h('div', { class: 'row-main' }, h('span', { class: 'row-name' }), h('span', { class: 'row-meta' })),
          h('div', { class: 'button-row' },
            h('button', { type: 'button', 'data-testid': `caucus-goto-${c.id}`, i18n: 'console.caucus_goto', onclick: () => onGoToChannel(c.id) }),
            h('button', { type: 'button', 'data-testid': `caucus-join-${c.id}`, i18n: 'console.caucus_join', onclick: () => send('join_caucus', { caucus: c.id }) }),
            h('button', { type: 'button', 'data-testid': `caucus-leave-${c.id}`, i18n: 'console.caucus_leave', onclick: () => send('leave_caucus', { caucus: c.id }) }),
            h('button', { type: 'button', class: 'danger', 'data-testid': `caucus-close-${c.id}`, i18n: 'console.caucus_close', onclick: () => send('close_caucus', { caucus: c.id }) }))),
        (li, c) => {
          const [main, buttons] = li.children;
          setText(main.children[0], c.title || t('channels.caucus_untitled'));
          const members = c.members.map((id) => displayName(state, id)).join(', ');
          const attending = c.attending.map((id) => displayName(state, id)).join(', ');
          setText(main.children[1], `${t('channels.members', { names: members })}${attending ? ` · ${t('console.caucus_attending', { names: attending })}` : ''}`);
          li.classList.toggle('attending', c.attendingMe);
          li.dataset.attending = String(c.attendingMe);
          const [, join, leave] = buttons.children;
          join.hidden = c.attendingMe;
          leave.hidden = !c.attendingMe;
        });
      const candidates = admittedParticipants(state).filter((p) => p.role !== 'mediator' && p.role !== 'observer');
      reconcile(memberList, candidates, (p) => p.id,
        (p) => h('li', {}, h('input', { type: 'checkbox', id: `caucus-member-${p.id}`, value: p.id, 'data-testid': `caucus-member-${p.id}` }), h('label', { for: `caucus-member-${p.id}` })),
        (li, p) => setText(li.children[1], `${p.name}${p.side ? ` (${t('side.label', { side: p.side })})` : ` (${tKey('role', p.role, 'role.party')})`}`));
      const sides = [...new Set(candidates.map((p) => p.side).filter(Boolean))].sort();
      reconcile(sideButtons, sides, (s) => s,
        (s) => h('button', { type: 'button', class: 'quiet', 'data-testid': `caucus-pick-side-${s}`, onclick: () => {
          for (const input of memberList.querySelectorAll('input')) input.checked = participantById(latest, input.value)?.side === s;
        } }),
        (b, s) => setText(b, t('console.caucus_pick_side', { side: s })));

      // agreement draft: refill from the current text unless the mediator is editing
      const a = room.agreement;
      if (a.version !== draftVersion && !draftDirty) { draft.value = a.text; draftVersion = a.version; }
      setText(draftBtn, t('console.draft_save', { version: a.version + 1 }));
      draftBtn.disabled = busy('draft_agreement') || ended;

      // signals (newest first)
      const list = signals(state).slice().reverse();
      signalEmpty.hidden = list.length > 0;
      setText(signalSection.count, list.length ? String(list.length) : '');
      signalSection.el.classList.toggle('has-signals', list.length > 0);
      reconcile(signalList, list, (e) => e.seq,
        (e) => h('li', { class: 'signal-item', 'data-testid': 'signal-item', 'data-seq': e.seq }, h('span', { class: 'signal-who' }), h('time', {}), h('p', { class: 'signal-body' })),
        (li, e) => {
          setText(li.children[0], displayName(state, e.actor));
          setText(li.children[1], formatTime(parseTime(e.ts)));
          setText(li.children[2], e.text || t('console.signal_no_text'));
        });
    },
  };
}
