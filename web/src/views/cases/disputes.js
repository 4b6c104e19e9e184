// Codes and labels of disputes (docs/disputes.md) shared by the register and
// the detail page, and who may do what (the server's dispute.* rights).
import { hasAnyRole } from '../../session.js';

export const DISPUTE_TYPES = [
  { code: 'neighbour', label: '邻里纠纷' },
  { code: 'family', label: '家庭纠纷' },
  { code: 'marriage', label: '婚姻纠纷' },
  { code: 'land_boundary', label: '土地地界纠纷' },
  { code: 'labour_wages', label: '劳资纠纷' },
  { code: 'consumer', label: '消费纠纷' },
  { code: 'traffic', label: '交通事故纠纷' },
  { code: 'property_management', label: '物业纠纷' },
  { code: 'other', label: '其他纠纷' },
];

export const SOURCES = [
  { code: 'visit', label: '走访排查' },
  { code: 'grid_worker', label: '网格员上报' },
  { code: 'volunteer', label: '志愿者上报' },
  { code: 'walk_in', label: '群众来访' },
  { code: 'resident_message', label: '群众留言' },
];

// grade → [label, class of the badge]
export const GRADES = {
  general: { label: '一般', cls: 'grade-general' },
  key: { label: '重点', cls: 'grade-key' },
  major: { label: '重大', cls: 'grade-major' },
};

// state → [label, el-tag type]
export const STATES = {
  graded: ['已分级', 'warning'],
  assigned: ['已指派', 'warning'],
  mediating: ['调解中', 'primary'],
  reopened: ['已重新启动', 'danger'],
  resolved_agreement: ['调解成功（达成协议）', 'success'],
  resolved: ['已化解', 'success'],
  following_up: ['回访中', 'success'],
  closed: ['已办结', 'info'],
  referred: ['已移送', 'info'],
  failed: ['调解未成', 'danger'],
};
export const OPEN_STATES = ['graded', 'assigned', 'mediating', 'reopened'];

export const OUTCOMES = [
  { code: 'resolved_agreement', label: '调解成功，达成协议' },
  { code: 'resolved', label: '已化解（无书面协议）' },
  { code: 'referred', label: '移送法院、仲裁或部门' },
  { code: 'failed', label: '调解未成' },
];
export const REFERRED_KINDS = [
  { code: 'court', label: '法院' },
  { code: 'arbitration', label: '仲裁' },
  { code: 'department', label: '职能部门' },
];
export const DEPARTMENTS = [
  { code: 'court', label: '人民法庭' },
  { code: 'justice_office', label: '司法所' },
  { code: 'township_government', label: '乡镇人民政府' },
  { code: 'village_committee', label: '村（居）民委员会' },
];
export const FOLLOW_UP_METHODS = [
  { code: 'phone', label: '电话回访' },
  { code: 'visit', label: '上门回访' },
];
export const EVENT_LABELS = {
  reported: '登记',
  grade_override: '调整等级',
  assigned: '指派',
  session: '调解',
  outcome: '调解结果',
  follow_up: '回访',
  closed: '办结',
  reopened: '重新启动',
  escalation: '超期上报',
};

export function typeLabel(code) {
  const t = DISPUTE_TYPES.find((x) => x.code === code);
  return t ? t.label : code || '—';
}

export function gradeOf(code) {
  return GRADES[code] || { label: code || '—', cls: '' };
}

export function stateOf(code) {
  return STATES[code] || [code || '—', 'info'];
}

// "剩余 3天4小时" / "已超期 2天1小时" for an open dispute, '' otherwise.
export function remaining(d, now) {
  if (!d || !d.deadline_at || !OPEN_STATES.includes(d.state)) return '';
  const left = Date.parse(d.deadline_at) - now;
  const abs = Math.abs(left);
  const days = Math.floor(abs / 86400000);
  const hours = Math.floor((abs % 86400000) / 3600000);
  const minutes = Math.floor((abs % 3600000) / 60000);
  const text = days > 0 ? `${days}天${hours}小时` : hours > 0 ? `${hours}小时${minutes}分` : `${minutes}分钟`;
  return left < 0 ? `已超期 ${text}` : `剩余 ${text}`;
}

export const canReport = () => hasAnyRole(['chief', 'community_officer', 'case_officer', 'operator', 'auxiliary', 'grid_worker', 'volunteer']);
export const canMediate = () => hasAnyRole(['chief', 'community_officer', 'auxiliary', 'grid_worker', 'volunteer']);
export const canManage = () => hasAnyRole(['chief', 'community_officer']);
export const canAgreement = () => hasAnyRole(['chief', 'community_officer', 'case_officer']);

export function percent(rate) {
  return rate == null ? '—' : `${(rate * 100).toFixed(1)}%`;
}
