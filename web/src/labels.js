// zh-CN labels for codes the API returns. Role labels also come from
// GET /api/v1/roles; the table here covers the time before that answer and
// users who may not read the role list.
import { reactive } from 'vue';
import { api } from './api.js';

const ROLE_LABELS = {
  admin: '系统管理员',
  chief: '所长',
  operator: '接警员',
  community_officer: '社区民警',
  case_officer: '办案民警',
  auxiliary: '辅警',
  grid_worker: '网格员',
  volunteer: '志愿者',
  analyst: '研判分析员',
  auditor: '审计员',
};

export const UNIT_KINDS = [
  { code: 'city', label: '市公安局' },
  { code: 'branch', label: '分局' },
  { code: 'station', label: '派出所' },
  { code: 'post', label: '警务室' },
  { code: 'grid', label: '网格' },
];

const UNIT_KIND_LABELS = Object.fromEntries(UNIT_KINDS.map((k) => [k.code, k.label]));

const roleState = reactive({ items: [], loaded: false, loading: null });

export function roleLabel(code) {
  const found = roleState.items.find((r) => r.code === code);
  return (found && found.label) || ROLE_LABELS[code] || code;
}

export function unitKindLabel(kind) {
  return UNIT_KIND_LABELS[kind] || kind || '—';
}

// Role list for pickers: the server's list when readable, else the built-in one.
export function roleOptions() {
  if (roleState.items.length > 0) return roleState.items.map((r) => ({ code: r.code, label: r.label || roleLabel(r.code) }));
  return Object.entries(ROLE_LABELS).map(([code, label]) => ({ code, label }));
}

export function loadRoles() {
  if (roleState.loaded) return Promise.resolve(roleState.items);
  if (!roleState.loading) {
    roleState.loading = api
      .get('/roles', { quiet: true })
      .then((answer) => {
        roleState.items = (answer && answer.items) || [];
        roleState.loaded = true;
        return roleState.items;
      })
      .catch(() => roleState.items)
      .finally(() => {
        roleState.loading = null;
      });
  }
  return roleState.loading;
}

const OUTCOME_LABELS = { ok: '成功', success: '成功', denied: '拒绝', failed: '失败', failure: '失败', error: '失败' };

export function outcomeLabel(outcome) {
  return OUTCOME_LABELS[outcome] || outcome || '—';
}

// Times are shown in China Standard Time (UTC+8, no daylight saving), whatever the
// browser's own zone: "2024-05-01T08:03:00Z" → "2024-05-01 16:03:00".
const CST_OFFSET_MS = 8 * 3600 * 1000;
export function formatTime(value) {
  if (!value) return '—';
  const ms = new Date(value).getTime();
  if (Number.isNaN(ms)) return String(value);
  const d = new Date(ms + CST_OFFSET_MS);
  const pad = (n) => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}
