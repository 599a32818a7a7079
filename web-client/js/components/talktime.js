// Talk-time bars: the fairness picture a mediator glances at. Per side and per participant:
// floor time (bar), messages and characters in the joint channel (numbers). Each bar carries its
// figures in words, so the picture does not depend on seeing the bar.
import { h, reconcile, setText, sideClass } from '../dom.js';
import { t, formatDuration, formatNumber } from '../i18n.js';
import { talkTimeBars, participantById } from '../state.js';

export function mountTalkTime(root) {
  const heading = h('h3', { class: 'talk-title', id: 'talk-heading', i18n: 'talk.heading' });
  const explain = h('p', { class: 'field-hint', i18n: 'talk.explain' });
  const sideHeading = h('h4', { class: 'talk-sub', i18n: 'talk.by_side' });
  const sideList = h('ul', { class: 'talk-bars', 'data-testid': 'talk-sides' });
  const personHeading = h('h4', { class: 'talk-sub', i18n: 'talk.by_participant' });
  const personList = h('ul', { class: 'talk-bars', 'data-testid': 'talk-participants' });
  const box = h('section', { class: 'talk-time', 'data-testid': 'talk-time', 'aria-labelledby': 'talk-heading' },
    heading, explain, sideHeading, sideList, personHeading, personList);
  root.append(box);
  let last = null;

  function row(testid) {
    return h('li', { class: 'talk-row', 'data-testid': testid },
      h('span', { class: 'talk-label' }),
      h('span', { class: 'talk-track', 'aria-hidden': 'true' }, h('span', { class: 'talk-bar' })),
      h('span', { class: 'talk-figures' }));
  }

  function fill(li, label, r, colourClass) {
    setText(li.children[0], label);
    const bar = li.children[1].firstChild;
    bar.className = `talk-bar ${colourClass}`;
    bar.style.width = `${Math.round(r.floorShare * 100)}%`;
    setText(li.children[2], t('talk.figures', { time: formatDuration(r.floor_ms), messages: formatNumber(r.messages), characters: formatNumber(r.characters) }));
    li.dataset.floorMs = String(Math.round(r.floor_ms));
    li.dataset.messages = String(r.messages);
    li.dataset.characters = String(r.characters);
  }

  function draw(nowMs) {
    if (!last) return;
    const bars = talkTimeBars(last, nowMs);
    box.hidden = !bars;
    if (!bars) return;
    reconcile(sideList, bars.sides, (r) => r.key, (r) => row(`talk-side-${r.key}`),
      (li, r) => fill(li, t('side.label', { side: r.key }), r, sideClass(r.key)));
    reconcile(personList, bars.participants, (r) => r.key, (r) => row(`talk-participant-${r.key}`),
      (li, r) => {
        const p = participantById(last, r.key);
        const label = p ? `${p.name}${p.side ? ` (${p.side})` : ''}` : r.key;
        fill(li, label, r, sideClass(p?.side));
      });
    sideHeading.hidden = bars.sides.length === 0;
  }

  return {
    render({ state, now }) { last = state; draw(now); },
    tick(nowMs) { draw(nowMs); },
  };
}
