// Labels, colours and helpers of response units and dispatches
// (docs/dispatch.md): unit types and statuses, the 1/3/5-minute bands,
// dispatch states and the steps the UI offers for each.
export const UNIT_TYPES = [
  { code: 'car', label: '巡逻车', short: '车' },
  { code: 'motorbike', label: '摩托车', short: '摩' },
  { code: 'foot', label: '步巡', short: '步' },
  { code: 'auxiliary_team', label: '辅警队', short: '辅' },
  { code: 'volunteer_team', label: '志愿者队', short: '志' },
];

export const UNIT_STATUSES = [
  { code: 'available', label: '空闲', tag: 'success', color: '#16a34a' },
  { code: 'dispatched', label: '已派', tag: 'warning', color: '#d97706' },
  { code: 'en_route', label: '在途', tag: 'primary', color: '#2563eb' },
  { code: 'on_scene', label: '到场', tag: 'danger', color: '#dc2626' },
  { code: 'busy', label: '忙碌', tag: 'info', color: '#7c3aed' },
  { code: 'off_duty', label: '下班', tag: 'info', color: '#9ca3af' },
];

// Statuses an operator may set by hand; the others belong to a dispatch.
export const MANUAL_STATUSES = ['available', 'busy', 'off_duty'];

const byCode = (list) => Object.fromEntries(list.map((x) => [x.code, x]));
const TYPES = byCode(UNIT_TYPES);
const STATUSES = byCode(UNIT_STATUSES);

export function unitTypeLabel(code) {
  return (TYPES[code] && TYPES[code].label) || code || '—';
}

export function unitTypeShort(code) {
  return (TYPES[code] && TYPES[code].short) || '?';
}

export function unitStatusInfo(code) {
  return STATUSES[code] || { code, label: code || '—', tag: 'info', color: '#6b7280' };
}

// Bands: 1, 3, 5 minutes; 0 is beyond 5 minutes (or unreachable).
export const BANDS = [
  { band: 1, label: '1分钟圈', short: '≤1分', color: '#15803d', max: 60 },
  { band: 3, label: '3分钟圈', short: '≤3分', color: '#65a30d', max: 180 },
  { band: 5, label: '5分钟圈', short: '≤5分', color: '#d97706', max: 300 },
  { band: 0, label: '5分钟外', short: '>5分', color: '#dc2626', max: Infinity },
];

export function bandInfo(band) {
  return BANDS.find((b) => b.band === band) || BANDS[3];
}

export function bandOf(etaS) {
  if (etaS === null || etaS === undefined || !Number.isFinite(etaS)) return 0;
  if (etaS <= 60) return 1;
  if (etaS <= 180) return 3;
  if (etaS <= 300) return 5;
  return 0;
}

// 147 → "2分27秒"; 40 → "40秒".
export function formatEta(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  const t = Math.max(0, Math.round(s));
  const m = Math.floor(t / 60);
  const r = t % 60;
  return m ? `${m}分${String(r).padStart(2, '0')}秒` : `${r}秒`;
}

export function formatDistance(m) {
  if (m === null || m === undefined || !Number.isFinite(m)) return '—';
  return m >= 1000 ? `${(m / 1000).toFixed(m >= 10000 ? 0 : 1)} 公里` : `${Math.round(m)} 米`;
}

export const DISPATCH_STATES = {
  dispatched: { label: '已派', tag: 'warning' },
  acknowledged: { label: '已接令', tag: 'primary' },
  en_route: { label: '在途', tag: 'primary' },
  on_scene: { label: '到场', tag: 'danger' },
  cleared: { label: '已结束', tag: 'success' },
  cancelled: { label: '已撤销', tag: 'info' },
};

export function dispatchStateInfo(state) {
  return DISPATCH_STATES[state] || { label: state || '—', tag: 'info' };
}

// The next step of a dispatch (POST /dispatches/:id/<step>) and whether it
// may still be cancelled.
const NEXT = {
  dispatched: { step: 'acknowledge', label: '接令' },
  acknowledged: { step: 'en_route', label: '出发' },
  en_route: { step: 'on_scene', label: '到场' },
  on_scene: { step: 'clear', label: '结束' },
};

export function nextStep(state) {
  return NEXT[state] || null;
}

export function cancellable(state) {
  return state === 'dispatched' || state === 'acknowledged' || state === 'en_route';
}

// The steps with their timestamps, for the progress line of a dispatch.
export const STEP_TIMES = [
  { key: 'dispatched_at', label: '派出' },
  { key: 'acknowledged_at', label: '接令' },
  { key: 'en_route_at', label: '出发' },
  { key: 'on_scene_at', label: '到场' },
  { key: 'cleared_at', label: '结束' },
];

// Incident states in which units may still be dispatched.
export const DISPATCHABLE_INCIDENT_STATES = ['received', 'reopened', 'dispatched', 'en_route', 'on_scene'];

// Seconds with millisecond precision → "1分05秒" (null: "—").
export function formatSeconds(s) {
  return formatEta(s);
}
