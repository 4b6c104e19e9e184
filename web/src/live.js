// Live updates from GET /api/v1/events (server-sent events, same origin,
// session cookie). One EventSource per tab, shared by every page:
//
//   useLive(['incident.created', 'incident.updated'], reload)
//
// subscribes the calling component for as long as it is mounted; each
// matching event calls onEvent(type, data) when given, else reload()
// (debounced: a burst of events costs one refetch). A `reset` event (the
// server could not replay what was missed) and every reconnection that
// had to build a new EventSource call every subscriber's reload, since
// the events in between are lost. Events carry ids, never personal data:
// pages refetch what they show.
//
// A new EventSource (after a refused or failed connection) asks for what
// it missed with ?last_event_id=N; the server replays it, or sends
// `reset` when it no longer holds it. Without a last id (no event seen
// yet) a reconnection reloads every subscriber instead.
//
// While the server has no such endpoint, or refuses it, the connection
// fails quietly: the header shows "未连接" and the client retries with a
// backoff (2 s doubling to 60 s). The browser itself reconnects a dropped
// stream, sending Last-Event-ID ("重连中").
import { onBeforeUnmount, onMounted, reactive, readonly } from 'vue';

export const LIVE_EVENTS = [
  'alert.created',
  'incident.created',
  'incident.updated',
  'incident.merged',
  'dispatch.created',
  'dispatch.updated',
  'unit.updated',
  'unit.position',
  'directive.created',
  'directive.updated',
  'fraud_warning.created',
  'fraud_warning.updated',
  'fraud_outreach.created',
  'reception_visit.created',
  'reception_visit.updated',
  'case.created',
  'case.updated',
  'transfer.created',
  'transfer.updated',
  'series.created',
];

const URL = '/api/v1/events';
const BACKOFF_MIN_MS = 2000;
const BACKOFF_MAX_MS = 60000;
const DEBOUNCE_MS = 300;

const state = reactive({
  // idle (not started), connecting, open, reconnecting, offline
  status: 'idle',
  lastEventId: null,
  events: 0,
  retryAt: null,
});

export const live = readonly(state);

const subscribers = new Set();
let source = null;
let wanted = false;
let backoff = BACKOFF_MIN_MS;
let retryTimer = null;
let everOpen = false;

export function liveStatusLabel(status) {
  if (status === 'open') return '实时连接';
  if (status === 'reconnecting') return '重连中';
  if (status === 'connecting') return '连接中';
  return '未连接';
}

function deliver(type, event) {
  let data = null;
  try {
    data = event.data ? JSON.parse(event.data) : null;
  } catch {
    data = null;
  }
  if (event.lastEventId) state.lastEventId = event.lastEventId;
  state.events++;
  for (const sub of subscribers) {
    if (type === 'reset') sub.reloadNow();
    else if (sub.types.has(type)) sub.handle(type, data);
  }
}

function reloadAll() {
  for (const sub of subscribers) sub.reloadNow();
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  if (!wanted) return;
  state.status = 'offline';
  state.retryAt = Date.now() + backoff;
  retryTimer = setTimeout(connect, backoff);
  backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
}

function connect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (!wanted || typeof EventSource === 'undefined') {
    if (wanted) state.status = 'offline';
    return;
  }
  if (source) source.close();
  state.status = everOpen ? 'reconnecting' : 'connecting';
  const resume = everOpen && state.lastEventId;
  const es = new EventSource(resume ? `${URL}?last_event_id=${encodeURIComponent(state.lastEventId)}` : URL);
  source = es;
  let openedHere = false;
  es.onopen = () => {
    if (source !== es) return;
    backoff = BACKOFF_MIN_MS;
    state.status = 'open';
    state.retryAt = null;
    // A new EventSource cannot send Last-Event-ID: without an id to resume
    // from, what happened while no stream was open is refetched instead.
    if (everOpen && !openedHere && !resume) reloadAll();
    openedHere = true;
    everOpen = true;
  };
  es.onerror = () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // Refused (404, 401, not an event stream): retry later, quietly.
      es.close();
      source = null;
      scheduleRetry();
    } else {
      // The browser reconnects by itself with Last-Event-ID.
      state.status = 'reconnecting';
    }
  };
  es.onmessage = (event) => deliver('message', event);
  for (const type of [...LIVE_EVENTS, 'reset']) es.addEventListener(type, (event) => source === es && deliver(type, event));
}

// Called by the application frame for a signed-in user.
export function startLive() {
  if (wanted) return;
  wanted = true;
  backoff = BACKOFF_MIN_MS;
  connect();
}

export function stopLive() {
  wanted = false;
  state.lastEventId = null;
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) source.close();
  source = null;
  everOpen = false;
  state.status = 'idle';
}

// 1 when events are flowing, so pages may poll less.
export function liveConnected() {
  return state.status === 'open';
}

export function useLive(types, reload, onEvent = null) {
  let timer = null;
  const sub = {
    types: new Set(types),
    reloadNow() {
      clearTimeout(timer);
      timer = null;
      reload();
    },
    handle(type, data) {
      if (onEvent && onEvent(type, data) === false) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, DEBOUNCE_MS);
    },
  };
  onMounted(() => subscribers.add(sub));
  onBeforeUnmount(() => {
    clearTimeout(timer);
    subscribers.delete(sub);
  });
  return live;
}
