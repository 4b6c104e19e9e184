// Helpers shared by the command-room pages: roles, the incident state
// machine as the UI offers it, China Standard Time conversions, durations.
import { hasAnyRole } from '../../session.js';
import { api } from '../../api.js';
import { COMMAND_OPERATE } from '../../nav.js';

// Roles that take alerts and manage incidents (the server's alert.create /
// incident.manage / phone.read) are COMMAND_OPERATE in nav.js; the others of
// COMMAND_READ only read, with phone numbers masked by the server.

export function canOperate() {
  return hasAnyRole(COMMAND_OPERATE);
}

// The transitions offered for each state, in the order of the buttons.
// needs: fields the dialog asks for; required ones are checked before sending.
export const TRANSITIONS = {
  received: [
    { to: 'dispatched', label: '派警', type: 'primary', needs: ['note'] },
    { to: 'closed', label: '不实/重复结案', type: 'danger', plain: true, needs: ['close_reason', 'note'], required: ['close_reason', 'note'] },
  ],
  dispatched: [{ to: 'en_route', label: '出警在途', type: 'primary', needs: ['note'] }],
  en_route: [{ to: 'on_scene', label: '到达现场', type: 'primary', needs: ['note'] }],
  on_scene: [{ to: 'disposed', label: '处置完毕', type: 'primary', needs: ['disposal', 'note'], required: ['disposal'] }],
  disposed: [{ to: 'feedback', label: '登记反馈', type: 'primary', needs: ['feedback', 'note'], required: ['feedback'] }],
  feedback: [{ to: 'closed', label: '结案', type: 'success', needs: ['note'] }],
  closed: [{ to: 'reopened', label: '重启警情', type: 'warning', plain: true, needs: ['note'], required: ['note'] }],
  reopened: [{ to: 'dispatched', label: '派警', type: 'primary', needs: ['note'] }],
};

export function transitionsFor(state) {
  return TRANSITIONS[state] || [];
}

// ---- China Standard Time ---------------------------------------------------
// Pickers work in CST wall-clock strings ("2024-05-01T08:00:00") whatever the
// browser's zone; the API gets RFC 3339 with the +08:00 offset.
const CST_OFFSET_MS = 8 * 3600 * 1000;

export function cstWallClock(ms) {
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 19);
}

export function wallToRfc3339(wall) {
  return wall ? `${wall}+08:00` : '';
}

// "2024-05-01T16:03:00.000+08:00" → "16:03:00" (CST), for compact lists.
export function formatClock(value) {
  if (!value) return '—';
  const ms = new Date(value).getTime();
  if (Number.isNaN(ms)) return String(value);
  return cstWallClock(ms).slice(11, 19);
}

// Elapsed time for the running timers: "04:05", "1:02:03", "2天 03:04:05".
export function formatElapsed(ms) {
  if (!Number.isFinite(ms)) return '—';
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n) => String(n).padStart(2, '0');
  if (days > 0) return `${days}天 ${pad(h)}:${pad(m)}:${pad(s)}`;
  if (h > 0) return `${h}:${pad(m)}:${pad(s)}`;
  return `${pad(m)}:${pad(s)}`;
}

// "SJ-339902510000-20261124-0001" → "20261124-0001" where space is short.
export function shortNumber(number) {
  if (!number) return '—';
  const parts = String(number).split('-');
  return parts.length >= 3 ? parts.slice(-2).join('-') : number;
}

// "0.35 km" / "46 m" style distance between two WGS-84 points.
export function distanceMetres(a, b) {
  if (!a || !b) return NaN;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

// Random key for Idempotency-Key: crypto.randomUUID needs a secure context,
// getRandomValues does not.
export function newIdempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return 'ui-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Incident summaries by id for the candidates panel; short-lived so that
// alert counts and states stay fresh while the operator types.
const SUMMARY_TTL_MS = 15000;
const summaries = new Map();

export function incidentSummary(id) {
  const hit = summaries.get(id);
  if (hit && Date.now() - hit.at < SUMMARY_TTL_MS) return hit.promise;
  const promise = api
    .get(`/incidents/${encodeURIComponent(id)}`, { quiet: true })
    .then((answer) => (answer && answer.incident) || null)
    .catch((error) => {
      summaries.delete(id);
      throw error;
    });
  summaries.set(id, { at: Date.now(), promise });
  return promise;
}

export function forgetIncidentSummaries() {
  summaries.clear();
}
