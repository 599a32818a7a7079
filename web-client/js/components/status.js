// Connection status: a shape, a word and a colour (never colour alone), plus "try now" when waiting.
import { h, setText } from '../dom.js';
import { t, tKey } from '../i18n.js';

export function mountStatus(root, { onRetry }) {
  const dot = h('span', { class: 'status-dot', 'aria-hidden': 'true' });
  const label = h('span', { class: 'status-label' });
  const retry = h('button', { type: 'button', class: 'link-button status-retry', 'data-testid': 'connection-retry', i18n: 'status.retry', onclick: onRetry });
  const box = h('div', { class: 'connection-status', 'data-testid': 'connection-status', role: 'status', 'data-state': 'connecting' }, dot, label, retry);
  root.append(box);
  return {
    render({ ui }) {
      const status = ui.status;
      box.dataset.state = status.state;
      setText(label, tKey('status', status.state, 'status.connecting'));
      retry.hidden = !(status.state === 'reconnecting' || status.state === 'offline');
      retry.textContent = t('status.retry');
    },
  };
}
