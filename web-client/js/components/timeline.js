// The conversation of one channel: messages with name, side (colour + label) and time;
// interpreter renderings under the message they translate; short notices for what happened;
// unacknowledged messages shown as "sending…" until the server confirms them.
import { h, reconcile, setText, sideClass } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import { channelItems, participantById, me, parseTime } from '../state.js';
import { displayName, personBadge } from './people.js';
import { describeEvent } from './describe.js';

export function mountTimeline(root, { onTranslate }) {
  const list = h('ol', { class: 'timeline', 'data-testid': 'timeline', tabindex: '0', i18nLabel: 'timeline.label' });
  const empty = h('p', { class: 'timeline-empty muted-text', 'data-testid': 'timeline-empty', i18n: 'timeline.empty' });
  const scroller = h('div', { class: 'timeline-scroller' }, empty, list);
  root.append(scroller);
  let lastChannel = null;

  function messageNode(item) {
    const e = item.entry;
    // Unacknowledged messages get their own test id, so "each message appears once" counts real ones.
    const li = h('li', { class: 'msg', 'data-testid': e.pending ? 'message-pending' : 'message', 'data-seq': e.seq, 'data-channel': e.channel ?? 'joint', 'data-actor': e.actor });
    li.append(
      h('div', { class: 'msg-head' }, h('span', { class: 'msg-name' }), h('span', { class: 'msg-badge' }), h('time', { class: 'msg-time' }), h('span', { class: 'msg-tags' })),
      h('p', { class: 'msg-text', 'data-testid': 'message-text' }),
      h('ul', { class: 'renderings' }),
    );
    return li;
  }

  function updateMessage(li, item, state) {
    const e = item.entry;
    const person = participantById(state, e.actor);
    const mine = e.actor === me(state)?.id;
    li.className = `msg ${sideClass(person?.side)}${mine ? ' mine' : ''}${person?.role === 'mediator' ? ' by-mediator' : ''}${e.pending ? ' pending' : ''}`;
    if (person?.side) li.dataset.side = person.side;
    const [head, text, renderings] = li.children;
    setText(head.children[0], displayName(state, e.actor) + (mine ? ` (${t('timeline.you')})` : ''));
    head.children[1].replaceChildren(personBadge(person));
    const ms = parseTime(e.ts);
    const time = head.children[2];
    if (ms != null) { time.setAttribute('datetime', new Date(ms).toISOString()); setText(time, formatTime(ms)); } else setText(time, '');
    const tags = [];
    if (e.pending) tags.push(h('span', { class: 'tag tag-pending', text: t('timeline.sending') }));
    if (e.shareable) tags.push(h('span', { class: 'tag tag-shareable', 'data-testid': 'message-shareable', text: t('timeline.shareable') }));
    if (e.translates != null) tags.push(h('span', { class: 'tag', text: t('timeline.rendering_of_earlier') }));
    head.children[3].replaceChildren(...tags);
    setText(text, e.text);
    renderings.replaceChildren(...item.renderings.map((r) => h('li', { class: 'rendering', 'data-testid': 'rendering', 'data-seq': r.seq, 'data-translates': r.translates },
      h('span', { class: 'rendering-label', text: t('timeline.rendering_by', { name: displayName(state, r.actor) }) }),
      h('span', { class: 'rendering-text', text: r.text }))));
    renderings.hidden = item.renderings.length === 0;
    const existing = li.querySelector('.translate-button');
    const canTranslate = onTranslate && me(state)?.role === 'interpreter' && !e.pending && (e.channel ?? 'joint') === 'joint' && e.actor !== me(state)?.id;
    if (canTranslate && !existing) {
      li.append(h('button', { type: 'button', class: 'link-button translate-button', 'data-testid': 'message-translate', i18n: 'timeline.translate', onclick: () => onTranslate(e.seq) }));
    } else if (!canTranslate && existing) existing.remove();
    else if (existing) existing.textContent = t('timeline.translate');
  }

  function noticeNode(item) {
    return h('li', { class: 'notice', 'data-testid': 'notice', 'data-kind': item.entry.kind, 'data-seq': item.entry.seq },
      h('span', { class: 'notice-text' }), h('time', { class: 'notice-time' }));
  }

  function updateNotice(li, item, state) {
    setText(li.children[0], describeEvent(state, item.entry));
    const ms = parseTime(item.entry.ts);
    setText(li.children[1], ms != null ? formatTime(ms) : '');
  }

  return {
    render({ state, ui, pending }) {
      const channel = ui.channel;
      const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
      const items = channelItems(state, channel);
      const own = me(state);
      for (const p of pending) {
        if (p.type === 'say' && p.channel === channel) {
          items.push({ type: 'message', entry: { ...p, seq: `p-${p.id}`, actor: own?.id, pending: true }, renderings: [] });
        }
      }
      list.dataset.channel = channel;
      list.classList.toggle('caucus', channel !== 'joint');
      reconcile(list, items, (it) => `${it.type}-${it.entry.seq}`,
        (it) => (it.type === 'message' ? messageNode(it) : noticeNode(it)),
        (node, it) => (it.type === 'message' ? updateMessage(node, it, state) : updateNotice(node, it, state)));
      empty.hidden = items.length > 0;
      if (channel !== lastChannel || nearBottom) scroller.scrollTop = scroller.scrollHeight;
      lastChannel = channel;
      list.setAttribute('aria-label', t('timeline.label'));
    },
  };
}
