// Codes and labels of livelihood cases and transfers (docs/cases.md) shared by
// the case register, the case page and the transfer pages, and who may do
// what (the server's case.read and case.manage rights).
import { reactive } from 'vue';
import { api } from '../../api.js';
import { hasAnyRole, hasRole, session } from '../../session.js';

// state → [label, el-tag type]
export const CASE_STATES = {
  accepted: ['已受理', 'warning'],
  investigating: ['办理中', 'primary'],
  solved: ['已破案', 'success'],
  closed: ['已结案', 'info'],
  transferred: ['已移交', 'info'],
  reopened: ['已重启', 'danger'],
};
export const OPEN_STATES = ['accepted', 'investigating', 'reopened'];

export const PARTY_ROLES = [
  { code: 'victim', label: '事主（被侵害人）' },
  { code: 'suspect', label: '嫌疑人' },
  { code: 'witness', label: '证人' },
];

// transfer status → [label, el-tag type]
export const TRANSFER_STATUSES = {
  pending_ack: ['待签收', 'warning'],
  pending_feedback: ['已签收，待反馈', 'primary'],
  done: ['已反馈', 'success'],
};

export const EVENT_LABELS = {
  accepted: '受理',
  investigate: '调查',
  solve: '破案',
  close: '结案',
  reopen: '重新启动',
  extend: '延长期限',
  assign: '指派',
  party: '当事人',
  lost: '损失',
  recovered: '挽损',
  evidence: '证据',
  transfer: '移交',
  transfer_ack: '签收',
  transfer_feedback: '反馈',
  series: '串并案',
  escalation: '逾期上报',
};

export const caseState = (code) => CASE_STATES[code] || [code || '—', 'info'];
export const transferStatus = (code) => TRANSFER_STATUSES[code] || [code || '—', 'info'];
export const partyRole = (code) => (PARTY_ROLES.find((r) => r.code === code) || { label: code || '—' }).label;

// Handling officers and chiefs write (case.manage); community officers and analysts read.
export const canManage = () => hasAnyRole(['chief', 'case_officer']);

// "3,120.50" (amount) and "3,120.50 元" (yuan); '—' for null.
export function amount(value) {
  if (value === null || value === undefined) return '—';
  return Number(value).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
export function yuan(value) {
  return value === null || value === undefined ? '—' : `${amount(value)} 元`;
}

export function percent(rate) {
  return rate == null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

// "剩余 3天4小时" / "已逾期 2天1小时" until a deadline; '' without one.
export function remaining(dueAt, now) {
  if (!dueAt) return '';
  const left = Date.parse(dueAt) - now;
  const abs = Math.abs(left);
  const days = Math.floor(abs / 86400000);
  const hours = Math.floor((abs % 86400000) / 3600000);
  const minutes = Math.floor((abs % 3600000) / 60000);
  const text = days > 0 ? `${days}天${hours}小时` : hours > 0 ? `${hours}小时${minutes}分` : `${minutes}分钟`;
  return left < 0 ? `已逾期 ${text}` : `剩余 ${text}`;
}

// "AJ-339902510000-20261124-0001" → "AJ-20261124-0001": the station is the
// same on every row of a station's register; the full number is the title.
export const shortNumber = (n) => (n ? n.replace(/^([A-Z]+)-\d+-/, '$1-') : '—');

// GET /api/v1/case-types, once per page load: types, receiver kinds, deadlines.
const catalogue = reactive({ types: [], receiverKinds: [], deadlines: null, loaded: false });
let loading = null;

export function loadCatalogue() {
  if (catalogue.loaded) return Promise.resolve(catalogue);
  if (!loading) {
    loading = api
      .get('/case-types', { quiet: true })
      .then((answer) => {
        catalogue.types = answer.types || [];
        catalogue.receiverKinds = answer.receiver_kinds || [];
        catalogue.deadlines = answer.deadlines || null;
        catalogue.loaded = true;
        return catalogue;
      })
      .catch(() => catalogue)
      .finally(() => {
        loading = null;
      });
  }
  return loading;
}

export { catalogue };

export function typeInfo(code) {
  return catalogue.types.find((t) => t.code === code) || null;
}

export function receiverKindLabel(code) {
  return (catalogue.receiverKinds.find((k) => k.code === code) || { label: code || '—' }).label;
}

// Fields of an API error: "parties[0].phone" stays as it is; the caller shows
// it where its form has a slot of that name, else as a message.
export function fieldOf(error) {
  return (error && error.field) || '';
}

// The station's users who handle cases, for the officer filter and the
// assignment; [] when the directory cannot be read.
// roles: the roles a user must have one of.
export async function loadOfficers(roles = ['case_officer']) {
  // The staff directory (GET /api/v1/staff) is open to every role, inside its scope.
  try {
    const unit = session.user && session.user.unit && session.user.unit.code;
    const answer = await api.get('/staff', { query: { unit, can: 'case.manage', per_page: 200 }, quiet: true });
    return (answer.items || []).filter((u) => (u.roles || []).some((r) => roles.includes(r)));
  } catch {
    return [];
  }
}

// GET /api/v1/kpi/cases over the last 365 days (the caller's unit); null on failure.
export async function loadYearKpi() {
  const to = new Date();
  const from = new Date(to.getTime() - 365 * 86400000);
  try {
    return await api.get('/kpi/cases', { query: { from: from.toISOString(), to: to.toISOString() }, quiet: true });
  } catch {
    return null;
  }
}
