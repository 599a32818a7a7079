// How a person is shown everywhere: their name, and for parties/advisors a side badge that
// carries both a colour and a written label ("Side A"), plus their role where it helps.
import { h, sideClass } from '../dom.js';
import { t, tKey } from '../i18n.js';
import { participantById } from '../state.js';

export function displayName(state, id) {
  if (id === 'admin') return t('actor.admin');
  if (id === 'system') return t('actor.system');
  const p = participantById(state, id);
  return p ? p.name : t('actor.unknown');
}

export function roleLabel(role) {
  return tKey('role', role, 'role.party');
}

export function sideLabel(side) {
  return side ? t('side.label', { side }) : '';
}

/** A badge element: "Side A" on the side's colour; mediators/interpreters/observers get their role. */
export function personBadge(person) {
  if (!person) return h('span', { class: 'badge side-none' });
  if (person.side && (person.role === 'party' || person.role === 'advisor')) {
    const text = person.role === 'advisor'
      ? t('badge.advisor_of', { side: person.side })
      : sideLabel(person.side);
    return h('span', { class: `badge side-badge ${sideClass(person.side)}`, 'data-side': person.side, text });
  }
  return h('span', { class: `badge role-badge role-${person.role}`, text: roleLabel(person.role) });
}

/** "Aigerim · Side A" for plain-text places (announcements, aria labels). */
export function nameWithSide(state, id) {
  const p = participantById(state, id);
  if (!p) return displayName(state, id);
  if (p.side && (p.role === 'party' || p.role === 'advisor')) return `${p.name} (${sideLabel(p.side)})`;
  return `${p.name} (${roleLabel(p.role)})`;
}
