// Codes, labels and rights of the reception hall (docs/reception.md).
import { hasAnyRole } from '../../session.js';

export const NEEDS = [
  { code: 'consultation', label: '咨询' },
  { code: 'help', label: '求助' },
  { code: 'lost_found', label: '失物招领' },
  { code: 'certificate', label: '办证开证明' },
  { code: 'mediation', label: '调解申请' },
  { code: 'report', label: '报案报警' },
];

// The one-action conversions, each with the right its target needs besides
// reception.log (the server's dispute.report, case.manage, service.manage).
export const TARGETS = [
  { code: 'alert', label: '转警情', noun: '警情', roles: ['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary'] },
  { code: 'dispute', label: '转纠纷', noun: '纠纷', roles: ['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary'] },
  { code: 'case', label: '转案件', noun: '案件', roles: ['chief', 'case_officer'] },
  { code: 'service_request', label: '转服务', noun: '上门服务', roles: ['chief', 'community_officer', 'auxiliary'] },
];

export const SERVICE_KINDS = [
  { code: 'id_card_delivery', label: '身份证送证上门' },
  { code: 'home_registration', label: '上门采集登记' },
  { code: 'residence_permit', label: '居住证办理' },
  { code: 'certificate', label: '证明开具' },
  { code: 'other', label: '其他服务' },
];

// What a need usually turns into: the conversion the dialog proposes first.
export const NEED_TARGET = { mediation: 'dispute', report: 'alert', help: 'service_request', certificate: 'service_request', lost_found: 'alert' };

// The server's reception.log right.
export const canLog = () => hasAnyRole(['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary']);

export function needLabel(code) {
  const n = NEEDS.find((x) => x.code === code);
  return n ? n.label : code || '—';
}

export function targetOf(code) {
  return TARGETS.find((t) => t.code === code) || { code, label: code, noun: code, roles: [] };
}

export function allowedTargets() {
  return TARGETS.filter((t) => hasAnyRole(t.roles));
}

// The route of a converted object's page, or null when it has none. An
// alert is shown on its incident's page (looked up by the caller).
export function objectRoute(to, id, extra = {}) {
  if (!id) return null;
  if (to === 'dispute') return { name: 'cases-disputes-dispute', params: { id } };
  if (to === 'case') return { name: 'cases-cases-case', params: { id } };
  if (to === 'alert' && extra.incident_id) return { name: 'command-incidents-incident', params: { id: extra.incident_id } };
  if (to === 'service_request') return { name: 'community-services' };
  return null;
}
