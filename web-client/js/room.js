// The room page: wires the pure state and outbox to the connection and the components.
// Data flows down (render(view)); actions flow up as verbs (send, select channel, sign...).
import { applyTranslations, getLanguage, has, LANGUAGE_KEY, onLanguageChange, pickLanguage, setLanguage, t, tKey } from './i18n.js';
import { claimToken, tokenFromFragment } from './token.js';
import { createConnection, socketUrl } from './connection.js';
import { enqueue, fromStored, helloFrame, randomPrefix, resendFrames, settle, toStored } from './outbox.js';
import { initialState, reduce, screen, me, JOINT, visibleCaucusTabs, isMediator, participantById, removalReason } from './state.js';
import { mountStatus } from './components/status.js';
import { mountLanguageSwitch } from './components/langswitch.js';
import { mountNotices } from './components/notices.js';
import { mountLobby } from './components/lobby.js';
import { mountFloor } from './components/floor.js';
import { mountChannels } from './components/channels.js';
import { mountTimeline } from './components/timeline.js';
import { mountComposer } from './components/composer.js';
import { mountSignal } from './components/signal.js';
import { mountAgreement } from './components/agreement.js';
import { mountConsole } from './components/console.js';
import { mountTalkTime } from './components/talktime.js';
import { describeEvent } from './components/describe.js';
import { displayName, personBadge, roleLabel } from './components/people.js';
import { setText } from './dom.js';

const OUTBOX_KEY = 'kelisim.outbox';
const $ = (id) => document.getElementById(id);

function storageGet(store, key) { try { return store.getItem(key); } catch { return null; } }
function storageSet(store, key, value) { try { store.setItem(key, value); } catch { /* private mode: fine */ } }

const languageChoice = storageGet(localStorage, LANGUAGE_KEY);
// The person's own choice always wins over the room's language.
const languageChosen = () => !!storageGet(localStorage, LANGUAGE_KEY);
setLanguage(pickLanguage({ stored: languageChoice, roomLanguage: null, browserLanguages: navigator.languages ?? [navigator.language] }));
applyTranslations(document);

const views = {
  noToken: $('view-no-token'),
  connecting: $('view-connecting'),
  stopped: $('view-stopped'),
  lobby: $('view-lobby'),
  room: $('view-room'),
};

function showView(name) {
  for (const [key, el] of Object.entries(views)) el.hidden = key !== name;
  document.body.dataset.view = name;
}

let stored = { token: null, fresh: false };
try { stored = claimToken(location, sessionStorage, history); } catch { stored = { token: null, fresh: false }; }
const token = stored.token;

const notices = mountNotices($('live'), $('alerts'));
const languageSwitch = mountLanguageSwitch($('lang'), {
  onChoose(lang) {
    storageSet(localStorage, LANGUAGE_KEY, lang);
    setLanguage(lang);
  },
});
languageSwitch.render();

// A new invitation link pasted into an open tab changes only the fragment: start over with it.
window.addEventListener('hashchange', () => { if (tokenFromFragment(location.hash)) location.reload(); });

if (!token) {
  showView('noToken');
  onLanguageChange(() => { applyTranslations(document); languageSwitch.render(); });
} else {
  startRoom(token, stored.fresh);
}

function startRoom(inviteToken, fresh) {
  let state = initialState();
  const prefix = randomPrefix();
  if (fresh) storageSet(sessionStorage, OUTBOX_KEY, '[]');
  let outbox = fromStored(storageGet(sessionStorage, OUTBOX_KEY), prefix);
  const ui = { channel: JOINT, translating: null, status: { state: 'connecting' }, unread: {}, signalAcked: false, stoppedCode: null };
  let fullHistoryWanted = false;
  let currentView = null;

  const status = mountStatus($('status'), { onRetry: () => connection.retryNow() });
  const lobby = mountLobby($('lobby'), { onAccept: () => send('accept_rules') });
  const floor = mountFloor($('floor'), { send });
  const channels = mountChannels($('channels'), { onSelect: selectChannel });
  const timeline = mountTimeline($('timeline'), {
    onTranslate(seq) { ui.translating = seq; selectChannel(JOINT); composer.focus(); },
  });
  const composer = mountComposer($('composer'), {
    onSend(fields) { send('say', fields); ui.translating = null; },
    onCancelTranslate() { ui.translating = null; schedule(); composer.focus(); },
  });
  const signal = mountSignal($('signal'), { onSignal: (text) => { ui.signalAcked = false; send('signal_mediator', text ? { text } : {}); } });
  const agreement = mountAgreement($('agreement'), { onSign: (version) => send('sign_agreement', { version }) });
  const mediatorConsole = mountConsole($('console'), { send, onGoToChannel: selectChannel });
  const talk = mountTalkTime(mediatorConsole.talkSlot);
  const components = [status, lobby, floor, channels, timeline, composer, signal, agreement, mediatorConsole, talk];

  function persist() { storageSet(sessionStorage, OUTBOX_KEY, toStored(outbox)); }

  function send(type, fields = {}) {
    const made = enqueue(outbox, { type, ...fields });
    outbox = made.outbox;
    persist();
    connection.send(made.frame);  // if not live, the outbox re-sends it after the next welcome
    schedule();
    return made.frame.id;
  }

  function selectChannel(id) {
    ui.channel = id;
    ui.unread[id] = 0;
    schedule();
  }

  function errorText(err) {
    if (err?.code && has(`error.${err.code}`)) return t(`error.${err.code}`);
    return err?.message || t('error.internal');
  }

  function announceEvent(prev, msg) {
    const m = me(state);
    if (msg.kind === 'message') {
      const channel = msg.channel ?? JOINT;
      if (msg.actor !== m?.id && channel !== ui.channel) ui.unread[channel] = (ui.unread[channel] ?? 0) + 1;
      if (msg.actor === m?.id) return;
      const text = String(msg.text ?? '').slice(0, 200);
      const params = { name: displayName(state, msg.actor), text };
      notices.announce(channel === JOINT ? t('announce.message', params) : t('announce.message_caucus', params));
      return;
    }
    if (msg.kind === 'floor_granted' && msg.participant === m?.id) { notices.announce(t('announce.your_turn')); return; }
    if (msg.kind === 'admitted' && msg.participant === m?.id) {
      notices.announce(t('announce.admitted'));
      // The joint history said before we came in is now ours to read: fetch it from the start.
      fullHistoryWanted = true;
      connection.restart();
      return;
    }
    if (msg.kind === 'mediator_signalled') {
      // Mediators must notice this even with the console scrolled away: a visible, calm notice.
      const who = displayName(state, msg.actor);
      notices.alert(() => (msg.text ? t('announce.signal_text', { name: who, text: msg.text }) : t('announce.signal', { name: who })), null, 'signal');
      return;
    }
    const spoken = ['floor_granted', 'floor_released', 'turn_mode_changed', 'paused', 'resumed', 'session_ended', 'agreement_drafted', 'caucus_opened', 'caucus_closed'];
    if (spoken.includes(msg.kind)) notices.announce(describeEvent(state, msg));
    if (msg.kind === 'joined_lobby' && isMediator(state)) notices.announce(describeEvent(state, msg));
  }

  function onMessage(msg) {
    const prev = state;
    switch (msg.type) {
      case 'welcome': {
        fullHistoryWanted = false;
        state = reduce(state, msg, Date.now());
        if (!languageChosen() && state.room?.language && getLanguage() !== state.room.language) {
          setLanguage(pickLanguage({ stored: null, roomLanguage: state.room.language }));
        }
        // Unanswered commands go again with the same ids: the server answers known ids with the original ack.
        for (const frame of resendFrames(outbox)) connection.send(frame);
        break;
      }
      case 'event':
        state = reduce(state, msg);
        if (!msg.replay && state !== prev) announceEvent(prev, msg);
        break;
      case 'presence':
        state = reduce(state, msg);
        break;
      case 'ack': {
        const r = settle(outbox, msg);
        outbox = r.outbox;
        if (r.done?.type === 'signal_mediator') ui.signalAcked = true;
        persist();
        break;
      }
      case 'error': {
        const r = settle(outbox, msg);
        outbox = r.outbox;
        persist();
        if (msg.id == null && ['unauthorized', 'token_expired', 'token_revoked', 'unsupported_version'].includes(msg.code)) {
          ui.stoppedCode = msg.code;
        } else {
          notices.alert(() => errorText(msg), msg.code);
        }
        break;
      }
      default:
        break;
    }
    schedule();
  }

  const connection = createConnection({
    url: socketUrl(location),
    hello: () => helloFrame(inviteToken, fullHistoryWanted ? 0 : state.lastSeq),
    onMessage,
    onStatus(s) {
      ui.status = s;
      if (s.state === 'stopped') ui.stoppedCode = s.code ?? ui.stoppedCode;
      schedule();
    },
  });

  let frame = 0;
  function schedule() {
    if (frame) return;
    frame = requestAnimationFrame(() => { frame = 0; render(); });
  }

  function renderHeader() {
    const title = state.room?.title ?? '';
    setText($('room-title'), title);
    document.title = title ? `${title} — ${t('app.name')}` : t('app.title');
    const m = me(state);
    const you = $('you');
    you.hidden = !m;
    if (m) {
      setText($('you-name'), t('you.label', { name: m.name }));
      $('you-badge').replaceChildren(personBadge(participantById(state, m.id) ?? m));
      setText($('you-role'), roleLabel(m.role));
      $('you-role').hidden = !(m.role === 'party' || m.role === 'advisor');
    }
  }

  function renderBanner() {
    const banner = $('room-banner');
    const roomState = state.room?.state;
    const text = roomState === 'paused' ? t('banner.paused') : roomState === 'ended' ? t('banner.ended') : '';
    banner.hidden = !text;
    banner.dataset.state = roomState ?? '';
    setText(banner, text);
  }

  function render() {
    // Fall back to the joint channel if the caucus on screen is no longer visible at all.
    if (ui.channel !== JOINT && !visibleCaucusTabs(state).some((c) => c.id === ui.channel)) ui.channel = JOINT;
    const view = { state, ui, pending: outbox.pending, now: Date.now() };
    const where = screen(state);
    if (ui.stoppedCode || where === 'removed') {
      showView('stopped');
      const code = where === 'removed' ? 'removed' : ui.stoppedCode;
      const why = where === 'removed' ? removalReason(state) : null;
      setText($('stopped-reason'), tKey('stopped', code, 'stopped.unauthorized') + (why ? ` ${t('stopped.reason', { reason: why })}` : ''));
      $('stopped-reason').dataset.code = code;
    } else if (where === 'connecting') showView('connecting');
    else if (where === 'lobby') showView('lobby');
    else showView('room');
    // A new screen (lobby -> room, room -> ended...): start keyboard and screen-reader users at its top.
    if (currentView && currentView !== document.body.dataset.view && document.activeElement === document.body) $('main').focus();
    currentView = document.body.dataset.view;
    document.body.dataset.role = state.you?.role ?? '';
    $('console').hidden = !isMediator(state);
    const panel = $('channel-panel');
    panel.dataset.private = String(ui.channel !== JOINT);
    panel.dataset.channel = ui.channel;
    panel.setAttribute('aria-labelledby', `tab-${ui.channel}`);
    renderHeader();
    renderBanner();
    for (const c of components) c.render(view);
    languageSwitch.render();
  }

  onLanguageChange(() => { applyTranslations(document); render(); });
  window.addEventListener('online', () => connection.retryNow());
  setInterval(() => { const now = Date.now(); floor.tick(now); talk.tick(now); }, 1000);
  render();
  connection.start();
}
