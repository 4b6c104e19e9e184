// Labels and rights shared by the registry pages (人口 / 房屋 / 单位场所);
// the codes are the API's (docs/community.md).
import { hasAnyRole } from '../../session.js';

export const HOUSE_USES = [
  { code: 'self_occupied', label: '自住', tag: 'info' },
  { code: 'rented', label: '出租', tag: 'warning' },
  { code: 'vacant', label: '空置', tag: '' },
  { code: 'commercial', label: '经营', tag: 'success' },
];
export const useOf = (code) => HOUSE_USES.find((u) => u.code === code) || { code, label: code || '—', tag: 'info' };

// Organisation type groups (the list's `group` filter) and the types of each.
export const ORG_GROUPS = [
  { code: 'regulated', label: '重点行业' },
  { code: 'small', label: '九小场所' },
  { code: 'school', label: '学校' },
  { code: 'enterprise', label: '企业' },
  { code: 'other', label: '其他单位' },
];
export const ORG_TYPES = [
  { code: 'hotel', label: '旅馆业', group: 'regulated' },
  { code: 'internet_cafe', label: '网吧', group: 'regulated' },
  { code: 'entertainment', label: '娱乐场所', group: 'regulated' },
  { code: 'small_shop', label: '小商店', group: 'small' },
  { code: 'small_restaurant', label: '小餐饮', group: 'small' },
  { code: 'small_hotel', label: '小旅馆', group: 'small' },
  { code: 'small_entertainment', label: '小歌舞娱乐场所', group: 'small' },
  { code: 'small_internet_cafe', label: '小网吧', group: 'small' },
  { code: 'small_beauty_bath', label: '小美容洗浴场所', group: 'small' },
  { code: 'small_workshop', label: '小生产加工企业', group: 'small' },
  { code: 'small_school', label: '小学校（幼儿园）', group: 'small' },
  { code: 'small_clinic', label: '小医院（诊所）', group: 'small' },
  { code: 'school', label: '学校', group: 'school' },
  { code: 'enterprise', label: '企业', group: 'enterprise' },
  { code: 'other', label: '其他单位', group: 'other' },
];
export const typeLabel = (code) => (ORG_TYPES.find((t) => t.code === code) || { label: code || '—' }).label;

export const REGISTRATION_STATES = {
  expired: { label: '登记已过期', tag: 'danger' },
  expiring: { label: '30 天内到期', tag: 'warning' },
  valid: { label: '有效', tag: 'success' },
};

// registry.write (docs/community.md, "Who sees what").
export const canWriteRegistry = () => hasAnyRole(['chief', 'community_officer', 'auxiliary', 'grid_worker']);

// "2026-11-24T08:30:00+08:00" → "2026-11-24".
export const day = (v) => (v ? String(v).slice(0, 10) : '—');
