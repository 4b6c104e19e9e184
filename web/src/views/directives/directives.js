// Labels of governance directives (治理指令, command/directive.h).
export const DIRECTIVE_STATES = [
  { code: 'issued', label: '已下发', tag: 'warning' },
  { code: 'accepted', label: '已签收', tag: 'primary' },
  { code: 'in_progress', label: '办理中', tag: 'primary' },
  { code: 'feedback_submitted', label: '已反馈', tag: 'success' },
  { code: 'returned', label: '已退回', tag: 'danger' },
  { code: 'approved', label: '已办结', tag: 'info' },
];

export const TEAMS = [
  { code: 'community', label: '社区警务队' },
  { code: 'case', label: '案件办理队' },
  { code: 'command', label: '指挥室' },
];

export const SOURCES = {
  incident: '警情',
  repeat_caller: '一人多报',
  repeat_place: '一地多报',
  hotspot: '热点',
  manual: '人工',
};

const STATES = Object.fromEntries(DIRECTIVE_STATES.map((s) => [s.code, s]));

export function directiveStateInfo(code) {
  return STATES[code] || { code, label: code || '—', tag: 'info' };
}

export function teamLabel(code) {
  const t = TEAMS.find((x) => x.code === code);
  return (t && t.label) || code || '—';
}

export function sourceLabel(code) {
  return SOURCES[code] || code || '—';
}

// The team's steps (accept, start, feedback) and the command room's
// (approve, return) offered in each state.
export function teamStep(state) {
  if (state === 'issued') return { step: 'accept', label: '签收' };
  if (state === 'accepted' || state === 'returned') return { step: 'start', label: '开始办理' };
  if (state === 'in_progress') return { step: 'feedback', label: '提交反馈' };
  return null;
}

// "还剩 2天 03:04" / "已超期 05:06"; ms until the deadline.
export function countdown(ms) {
  const late = ms < 0;
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n) => String(n).padStart(2, '0');
  const text = d > 0 ? `${d}天 ${pad(h)}:${pad(m)}` : `${pad(h)}:${pad(m)}:${pad(s)}`;
  return late ? `已超期 ${text}` : `还剩 ${text}`;
}

const TIMELINE_KINDS = {
  feedback: '反馈',
  return_reason: '退回',
  approval_note: '审核通过',
  escalation: '超期上报所长',
};

export function timelineKindLabel(kind) {
  return TIMELINE_KINDS[kind] || kind;
}
