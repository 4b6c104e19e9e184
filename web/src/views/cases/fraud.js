// Codes, labels and rights of anti-fraud warnings (docs/fraud.md), shared by
// the warning list, the warning page and the outreach tab. The code tables
// come from GET /api/v1/fraud-codes (loaded once per tab); the colours of
// states and levels are the UI's own.
import { reactive } from 'vue';
import { api } from '../../api.js';
import { hasAnyRole } from '../../session.js';

// The server's fraud.read and fraud.handle rights.
export const canHandleFraud = () => hasAnyRole(['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary']);

export const LEVELS = [
  { value: 1, label: '一级（最紧急）', short: '一级', cls: 'level-1' },
  { value: 2, label: '二级（高）', short: '二级', cls: 'level-2' },
  { value: 3, label: '三级（中）', short: '三级', cls: 'level-3' },
  { value: 4, label: '四级（低）', short: '四级', cls: 'level-4' },
];

export function levelOf(value) {
  return LEVELS.find((l) => l.value === Number(value)) || { value, label: String(value || '—'), short: String(value || '—'), cls: '' };
}

// state → el-tag type
const STATE_TAGS = {
  received: 'warning',
  assigned: 'warning',
  contacting: 'primary',
  dissuaded: 'success',
  not_reached: 'danger',
  already_paid: 'danger',
  not_involved: 'info',
  closed: 'info',
};
export const stateTag = (code) => STATE_TAGS[code] || 'info';

// Outcomes a warning can be closed with (the state it was in).
export const CLOSABLE = ['dissuaded', 'not_reached', 'already_paid', 'not_involved'];

const codes = reactive({
  loaded: false,
  warning_types: [],
  states: [],
  methods: [],
  person_states: [],
  outreach_kinds: [],
  audiences: [],
  deadline_minutes: {},
});
let loading = null;

// The code tables (reactive); the first call starts the request.
export function useFraudCodes() {
  if (!codes.loaded && !loading) {
    loading = api
      .get('/fraud-codes', { quiet: true })
      .then((answer) => {
        Object.assign(codes, answer, { loaded: true });
      })
      .catch(() => {})
      .finally(() => {
        loading = null;
      });
  }
  return codes;
}

export function labelIn(table, code) {
  const found = (codes[table] || []).find((x) => x.code === code);
  return found ? found.label : code || '—';
}

// Seconds → "12:34" under an hour, "3小时05分", "2天3小时".
export function formatCountdown(seconds) {
  const s = Math.max(0, Math.floor(Math.abs(seconds)));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = s % 60;
  if (days > 0) return `${days}天${hours}小时`;
  if (hours > 0) return `${hours}小时${String(minutes).padStart(2, '0')}分`;
  return `${String(minutes).padStart(2, '0')}:${String(secs).padStart(2, '0')}`;
}

// The countdown of a warning at now (ms): null once the person was reached
// or the warning closed (the server's remaining_s is null then), else
// { text, overdue, urgent } with text "剩余 12:34" or "已超期 03:10".
export function countdown(w, now) {
  if (!w || w.remaining_s === null || w.remaining_s === undefined || !w.deadline_at) return null;
  const left = (Date.parse(w.deadline_at) - now) / 1000;
  const overdue = left < 0;
  return { text: `${overdue ? '已超期' : '剩余'} ${formatCountdown(left)}`, overdue, urgent: !overdue && left < 600 };
}

// "及时劝阻" etc.: how the reaching went, for the list and the page.
export function reachLabel(w) {
  if (!w || w.reached_in_time === null || w.reached_in_time === undefined) return '';
  return w.reached_in_time ? '按时联系' : '超时联系';
}

export function yuan(v) {
  return v === null || v === undefined ? '—' : `${Number(v).toFixed(2)} 元`;
}

export function percent(rate) {
  return rate == null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

// The CSV columns of the import (docs/fraud.md) by the field names of its errors.
const IMPORT_COLUMNS = {
  warned_at: '预警时间',
  warning_type: '预警类型',
  level: '预警级别',
  phone: '手机号',
  person_name: '姓名',
  id_number: '身份证号',
  address: '地址',
  lat: '纬度',
  lon: '经度',
  location: '经纬度',
  external_ref: '预警编号',
  description: '预警内容',
  unit: '接收单位',
};

// "手机号（phone）"; other fields as given.
export function importFieldLabel(field) {
  return IMPORT_COLUMNS[field] ? `${IMPORT_COLUMNS[field]}（${field}）` : field || '—';
}
