// One sentence per event, for timeline notices and screen-reader announcements.
import { t, tKey } from '../i18n.js';
import { displayName } from './people.js';

export function describeEvent(state, e) {
  const params = {
    actor: displayName(state, e.actor),
    participant: e.participant ? displayName(state, e.participant) : '',
    title: e.title || t('channels.caucus_untitled'),
    version: e.version,
    mode: e.mode ? tKey('modename', e.mode, 'modename.open') : '',
    seconds: e.turn_seconds,
  };
  switch (e.kind) {
    case 'floor_released':
      return tKey('event.floor_released', e.reason, 'event.floor_released', params);
    case 'turn_mode_changed':
      return e.turn_seconds > 0 ? t('event.turn_mode_changed_timed', params) : t('event.turn_mode_changed', params);
    case 'removed':
      return e.reason ? t('event.removed_reason', { ...params, reason: e.reason }) : t('event.removed', params);
    default:
      return tKey('event', e.kind, 'event.unknown', params);
  }
}
