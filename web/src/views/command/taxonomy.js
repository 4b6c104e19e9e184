// Static code tables of the command room, kept in step with the server:
//  - alert categories: src/command/taxonomy.c (docs/taxonomy.md), same codes,
//    labels, order and default priorities;
//  - alert sources: src/command/alert.c;
//  - incident states: src/command/incident.c.
// The server validates every code; these tables only label and offer them.

export const TOP_LEVELS = [
  { code: 'criminal', label: '刑事类' },
  { code: 'public_order', label: '治安类' },
  { code: 'traffic', label: '交通类' },
  { code: 'dispute', label: '纠纷类' },
  { code: 'help', label: '求助类' },
  { code: 'fire', label: '火灾类' },
  { code: 'report', label: '举报类' },
  { code: 'other', label: '其他类' },
];

// [code, label, default priority]
const CATEGORY_ROWS = [
  ['criminal.theft', '盗窃', 2],
  ['criminal.burglary', '入室盗窃', 2],
  ['criminal.vehicle_theft', '盗窃车辆', 2],
  ['criminal.robbery', '抢劫抢夺', 1],
  ['criminal.assault', '故意伤害', 1],
  ['criminal.fraud', '诈骗', 2],
  ['public_order.fight', '打架斗殴', 1],
  ['public_order.provocation', '寻衅滋事', 1],
  ['public_order.drunk', '醉酒滋事', 2],
  ['public_order.noise', '噪音扰民', 3],
  ['public_order.gambling', '涉赌', 2],
  ['public_order.drugs', '涉毒', 2],
  ['public_order.vice', '涉黄', 2],
  ['traffic.accident', '交通事故', 1],
  ['traffic.hit_and_run', '肇事逃逸', 1],
  ['traffic.drunk_driving', '酒驾醉驾', 1],
  ['traffic.congestion', '交通堵塞', 3],
  ['dispute.neighbour', '邻里纠纷', 2],
  ['dispute.family', '家庭纠纷', 2],
  ['dispute.land', '土地山林纠纷', 3],
  ['dispute.labour', '劳资纠纷', 2],
  ['dispute.consumer', '消费纠纷', 3],
  ['dispute.property_mgmt', '物业纠纷', 3],
  ['dispute.traffic', '交通纠纷', 2],
  ['help.missing_person', '人员走失', 1],
  ['help.lost_property', '物品遗失', 3],
  ['help.medical', '急病求助', 1],
  ['help.locked_out', '开锁求助', 3],
  ['help.other', '其他求助', 3],
  ['fire.fire', '火灾', 1],
  ['fire.gas_leak', '燃气泄漏', 1],
  ['report.clue', '违法犯罪线索', 2],
  ['report.illegal_business', '非法经营举报', 3],
  ['other.harassing', '骚扰电话', 4],
  ['other.invalid', '无效警情', 4],
  ['other.other', '其他', 3],
];

const TOP_LABELS = Object.fromEntries(TOP_LEVELS.map((t) => [t.code, t.label]));

export const CATEGORIES = CATEGORY_ROWS.map(([code, label, priority]) => {
  const top = code.split('.')[0];
  return { code, label, priority, top, topLabel: TOP_LABELS[top] || top };
});

const CATEGORY_BY_CODE = Object.fromEntries(CATEGORIES.map((c) => [c.code, c]));

// Categories grouped under their top level, for <el-option-group>.
export const CATEGORY_GROUPS = TOP_LEVELS.map((top) => ({
  ...top,
  items: CATEGORIES.filter((c) => c.top === top.code),
}));

export function category(code) {
  return CATEGORY_BY_CODE[code] || null;
}

export function categoryLabel(code) {
  const c = CATEGORY_BY_CODE[code];
  return c ? c.label : code || '—';
}

// "治安类 · 打架斗殴"
export function categoryFullLabel(code) {
  const c = CATEGORY_BY_CODE[code];
  return c ? `${c.topLabel} · ${c.label}` : code || '—';
}

// Search by label, top-level label or code ("打架", "治安", "fight", "public_order.f").
export function categoryMatches(c, query) {
  const q = (query || '').trim().toLowerCase();
  if (!q) return true;
  return c.label.includes(q) || c.topLabel.includes(q) || c.code.toLowerCase().includes(q);
}

export const SOURCES = [
  { code: 'phone_110', label: '110 转警' },
  { code: 'walk_in', label: '来所报警' },
  { code: 'patrol', label: '巡逻发现' },
  { code: 'app', label: '网络/微信报警' },
  { code: 'video', label: '视频巡查' },
  { code: 'other', label: '其他' },
];
const SOURCE_LABELS = Object.fromEntries(SOURCES.map((s) => [s.code, s.label]));
export function sourceLabel(code) {
  return SOURCE_LABELS[code] || code || '—';
}

export const CRS_OPTIONS = [
  { code: 'wgs84', label: 'WGS-84 / CGCS2000' },
  { code: 'gcj02', label: 'GCJ-02（高德/腾讯）' },
  { code: 'bd09', label: 'BD-09（百度）' },
];

// Priority 1 immediate … 4 no dispatch (docs/taxonomy.md).
export const PRIORITIES = [
  { value: 1, label: '一级 · 立即', short: '一级', color: '#d93026', tag: 'danger' },
  { value: 2, label: '二级 · 紧急', short: '二级', color: '#e6820e', tag: 'warning' },
  { value: 3, label: '三级 · 一般', short: '三级', color: '#2f6fd1', tag: 'primary' },
  { value: 4, label: '四级 · 不出警', short: '四级', color: '#8a94a6', tag: 'info' },
];
export function priorityInfo(value) {
  return PRIORITIES.find((p) => p.value === value) || { value, label: value ? `${value} 级` : '—', short: '—', color: '#8a94a6', tag: 'info' };
}

export const STATES = [
  { code: 'received', label: '已接警' },
  { code: 'dispatched', label: '已派警' },
  { code: 'en_route', label: '在途' },
  { code: 'on_scene', label: '已到场' },
  { code: 'disposed', label: '已处置' },
  { code: 'feedback', label: '已反馈' },
  { code: 'closed', label: '已结案' },
  { code: 'reopened', label: '已重启' },
];
const STATE_LABELS = Object.fromEntries(STATES.map((s) => [s.code, s.label]));
export function stateLabel(code) {
  return STATE_LABELS[code] || code || '—';
}

const STATE_TAGS = {
  received: 'danger',
  reopened: 'danger',
  dispatched: 'warning',
  en_route: 'warning',
  on_scene: 'primary',
  disposed: 'primary',
  feedback: 'success',
  closed: 'info',
};
export function stateTag(code) {
  return STATE_TAGS[code] || 'info';
}

export const MERGE_KINDS = { repeat_caller: '一人多报', same_event: '多人同报' };
export function mergeKindLabel(kind) {
  return MERGE_KINDS[kind] || kind || '';
}

const DECISION_LABELS = {
  new: '新建事件',
  merged: '自动合并',
  suggested: '疑似关联（未合并）',
  confirmed: '人工确认合并',
};
export function decisionLabel(decision) {
  return DECISION_LABELS[decision] || decision || '—';
}

export const CLOSE_REASONS = [
  { code: 'unfounded', label: '不实警情' },
  { code: 'duplicate', label: '重复报警' },
];
export function closeReasonLabel(code) {
  const found = CLOSE_REASONS.find((r) => r.code === code);
  return found ? found.label : code || '';
}
