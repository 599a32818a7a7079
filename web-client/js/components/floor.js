// The floor: who may speak now, the countdown of a timed turn, the hand queue in order,
// and the viewer's own floor buttons (raise / lower / yield) when they apply.
import { h, reconcile, setText } from '../dom.js';
import { t, tKey, formatClock } from '../i18n.js';
import { floorActions, floorRemainingMs, me, participantById } from '../state.js';
import { nameWithSide, personBadge, displayName } from './people.js';

export function mountFloor(root, { send }) {
  const heading = h('h2', { class: 'panel-title', i18n: 'floor.heading', id: 'floor-heading' });
  const mode = h('p', { class: 'floor-mode', 'data-testid': 'turn-mode' });
  const holder = h('p', { class: 'floor-holder', 'data-testid': 'floor-holder', tabindex: '-1' });
  const countdown = h('p', { class: 'floor-countdown', 'data-testid': 'floor-countdown', role: 'timer', hidden: true });
  const queueHeading = h('h3', { class: 'floor-subtitle', i18n: 'floor.queue' });
  const queue = h('ol', { class: 'hand-queue', 'data-testid': 'hand-queue' });
  const queueEmpty = h('p', { class: 'muted-text', i18n: 'floor.queue_empty' });
  const orderHeading = h('h3', { class: 'floor-subtitle', i18n: 'floor.order' });
  const order = h('ol', { class: 'round-order', 'data-testid': 'round-order' });
  const orderBox = h('div', { hidden: true }, orderHeading, order);
  const raise = h('button', { type: 'button', class: 'primary', 'data-testid': 'raise-hand', i18n: 'floor.raise', onclick: () => send('raise_hand') });
  const lower = h('button', { type: 'button', 'data-testid': 'lower-hand', i18n: 'floor.lower', onclick: () => send('lower_hand') });
  const yieldBtn = h('button', { type: 'button', 'data-testid': 'yield-floor', i18n: 'floor.yield', onclick: () => send('yield_floor') });
  const actions = h('div', { class: 'button-row floor-actions' }, raise, lower, yieldBtn);
  const panel = h('section', { class: 'floor-panel card', 'data-testid': 'floor-panel', 'aria-labelledby': 'floor-heading' },
    heading, mode, holder, countdown, actions, h('div', { class: 'queue-box' }, queueHeading, queue, queueEmpty), orderBox);
  root.append(panel);

  let last = null;

  function tick(nowMs) {
    if (!last) return;
    const left = floorRemainingMs(last, nowMs);
    countdown.hidden = left == null;
    if (left != null) {
      setText(countdown, t('floor.time_left', { time: formatClock(left) }));
      countdown.classList.toggle('urgent', left <= 15000);
    }
  }

  return {
    render({ state, pending, now }) {
      last = state;
      const room = state.room;
      if (!room) return;
      const m = me(state);
      const seconds = room.turn_seconds > 0 ? t('floor.per_turn', { seconds: room.turn_seconds }) : '';
      setText(mode, `${tKey('mode', room.turn_mode, 'mode.open')}${seconds ? ` · ${seconds}` : ''}`);
      mode.dataset.mode = room.turn_mode;
      const mine = room.floor_holder && room.floor_holder === m?.id;
      holder.dataset.holder = room.floor_holder ?? '';
      holder.classList.toggle('mine', !!mine);
      if (room.turn_mode === 'open' && !room.floor_holder) setText(holder, t('floor.open_everyone'));
      else if (!room.floor_holder) setText(holder, t('floor.nobody'));
      else if (mine) setText(holder, t('floor.yours'));
      else setText(holder, t('floor.holder', { name: nameWithSide(state, room.floor_holder) }));

      reconcile(queue, room.hand_queue, (id) => id,
        (id) => h('li', { 'data-participant': id }, h('span', { class: 'queue-name' }), h('span', { class: 'queue-badge' })),
        (li, id) => {
          setText(li.firstChild, displayName(state, id) + (id === m?.id ? ` — ${t('floor.you_marker')}` : ''));
          li.lastChild.replaceChildren(personBadge(participantById(state, id)));
        });
      queueEmpty.hidden = room.hand_queue.length > 0;
      queueHeading.parentElement.hidden = room.turn_mode !== 'moderated' && room.hand_queue.length === 0;

      orderBox.hidden = room.turn_mode !== 'round';
      if (room.turn_mode === 'round') {
        reconcile(order, room.order, (id) => id, (id) => h('li', { 'data-participant': id }),
          (li, id) => { setText(li, displayName(state, id)); li.classList.toggle('current', id === room.floor_holder); });
      }

      const focusInActions = actions.contains(document.activeElement);
      const can = floorActions(state);
      const busy = (type) => pending.some((p) => p.type === type);
      raise.hidden = !can.raise;
      lower.hidden = !can.lower;
      yieldBtn.hidden = !can.yield;
      raise.disabled = busy('raise_hand');
      lower.disabled = busy('lower_hand');
      yieldBtn.disabled = busy('yield_floor');
      actions.hidden = !(can.raise || can.lower || can.yield);
      // Raise becomes Lower, Lower becomes Yield...: keep keyboard focus on the panel's buttons.
      if (focusInActions && (document.activeElement === document.body || document.activeElement?.hidden)) {
        const next = [raise, lower, yieldBtn].find((b) => !b.hidden);
        (next ?? holder).focus();
      }
      tick(now);
    },
    tick,
  };
}
