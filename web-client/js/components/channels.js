// Channel tabs: the joint session and every caucus this person may see. Caucus tabs are marked
// private in words and in look. Arrow keys move between tabs (WAI-ARIA tabs pattern).
import { h, reconcile, setText } from '../dom.js';
import { t } from '../i18n.js';
import { JOINT, visibleCaucusTabs, isMediator } from '../state.js';
import { displayName } from './people.js';

export function mountChannels(root, { onSelect }) {
  const list = h('div', { class: 'channel-tabs', role: 'tablist', 'data-testid': 'channel-tabs', i18nLabel: 'channels.label' });
  const note = h('p', { class: 'private-note', 'data-testid': 'caucus-private-note', hidden: true },
    h('span', { class: 'lock', 'aria-hidden': 'true' }), h('span', { class: 'private-text' }));
  const members = h('p', { class: 'caucus-members', 'data-testid': 'caucus-members', hidden: true });
  root.append(list, note, members);

  list.addEventListener('keydown', (ev) => {
    const tabs = Array.from(list.querySelectorAll('[role="tab"]'));
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    let j = null;
    if (ev.key === 'ArrowRight') j = (i + 1) % tabs.length;
    else if (ev.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
    else if (ev.key === 'Home') j = 0;
    else if (ev.key === 'End') j = tabs.length - 1;
    if (j == null) return;
    ev.preventDefault();
    tabs[j].focus();
    onSelect(tabs[j].dataset.channel);
  });

  return {
    render({ state, ui }) {
      const tabs = [{ id: JOINT, joint: true }, ...visibleCaucusTabs(state)];
      reconcile(list, tabs, (c) => c.id,
        (c) => {
          const b = h('button', {
            type: 'button', role: 'tab', class: c.joint ? 'channel-tab joint' : 'channel-tab caucus',
            'data-testid': `channel-tab-${c.id}`, 'data-channel': c.id, 'aria-controls': 'channel-panel',
            id: `tab-${c.id}`, onclick: () => onSelect(c.id),
          }, h('span', { class: 'tab-label' }), h('span', { class: 'tab-state' }), h('span', { class: 'unread', 'aria-hidden': 'true' }));
          return b;
        },
        (b, c) => {
          const selected = ui.channel === c.id;
          b.setAttribute('aria-selected', String(selected));
          b.tabIndex = selected ? 0 : -1;
          const title = c.joint ? t('channels.joint') : (c.title || t('channels.caucus_untitled'));
          setText(b.children[0], c.joint ? title : `${t('channels.private_prefix')} ${title}`);
          const stateText = c.closed ? t('channels.closed') : (c.attendingMe ? t('channels.attending') : '');
          setText(b.children[1], stateText);
          b.children[1].hidden = !stateText;
          const unread = ui.unread[c.id] ?? 0;
          setText(b.children[2], unread > 0 ? String(unread) : '');
          b.children[2].hidden = unread === 0 || selected;
          b.classList.toggle('closed', !!c.closed);
          b.setAttribute('aria-label', unread > 0 && !selected ? `${title}, ${t('channels.unread', { count: unread })}` : title);
        });

      const active = tabs.find((c) => c.id === ui.channel);
      const isCaucus = active && !active.joint;
      note.hidden = !isCaucus;
      members.hidden = !isCaucus;
      if (isCaucus) {
        setText(note.lastChild, isMediator(state) ? t('channels.private_note_mediator') : t('channels.private_note'));
        const names = active.members.map((id) => displayName(state, id)).join(', ');
        setText(members, t('channels.members', { names }));
      }
    },
  };
}
