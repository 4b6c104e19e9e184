// The navigation tree of the application frame. Routes are generated from it
// too, so a menu entry and its page can never disagree. An item without a
// `component` is a capability that is not built yet: it shows "功能建设中".
// `subroutes` are pages under an item that have no menu entry of their own
// (a detail page): the menu highlights their item.
import { IconCommand, IconCommunity, IconCases, IconAnalysis, IconSystem } from './icons.js';

// Who takes alerts and manages incidents, and who may read them (the server's
// alert.create / incident.manage and incident.read rights).
export const COMMAND_OPERATE = ['chief', 'operator'];
export const COMMAND_READ = ['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary', 'analyst'];

// Community field work (the server's field.read and message.handle rights; docs/field.md).
export const FIELD_READ = ['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary', 'analyst'];
export const FIELD_SERVE = ['chief', 'community_officer', 'auxiliary'];
// Who reads the registries (registry.read; docs/community.md).
export const REGISTRY_READ = ['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary', 'grid_worker'];
// Who logs household visits (registry.write).
export const VISIT_LOG = ['chief', 'community_officer', 'auxiliary', 'grid_worker'];

// Volunteers and school posts (volunteer.read, school.read; docs/volunteers.md), and the
// volunteers' own phone page (volunteer.duty).
export const VOLUNTEER_READ = ['chief', 'community_officer', 'auxiliary', 'grid_worker', 'analyst'];
export const SCHOOL_READ = ['chief', 'community_officer', 'auxiliary', 'grid_worker', 'analyst'];
export const VOLUNTEER_DUTY = ['volunteer'];

// Disputes and mediation (the server's dispute.read right; docs/disputes.md).
// Grids and police posts (the server's grid.read right; docs/community.md).
export const GRID_READ = ['chief', 'admin', 'operator', 'community_officer', 'case_officer', 'auxiliary', 'grid_worker', 'analyst'];

export const DISPUTE_READ = ['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary', 'grid_worker', 'volunteer', 'analyst'];

// Livelihood cases and transfers (the server's case.read right; docs/cases.md).
export const CASE_READ = ['chief', 'case_officer', 'community_officer', 'analyst'];
// Anti-fraud warnings and the reception hall (the server's fraud.read and
// reception.read rights; docs/fraud.md, docs/reception.md).
export const FRAUD_READ = ['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary', 'analyst'];
export const RECEPTION_READ = ['chief', 'operator', 'community_officer', 'case_officer', 'auxiliary', 'analyst'];

export const NAV_SECTIONS = [
  {
    key: 'command',
    title: '指挥室',
    icon: IconCommand,
    items: [
      { key: 'intake', title: '接警', roles: COMMAND_OPERATE, component: () => import('./views/command/IntakeView.vue') },
      { key: 'board', title: '警情看板', roles: COMMAND_READ, component: () => import('./views/command/BoardView.vue') },
      {
        key: 'incidents',
        title: '警情列表',
        roles: COMMAND_READ,
        component: () => import('./views/command/IncidentsView.vue'),
        subroutes: [{ path: ':id', name: 'incident', title: '警情详情', component: () => import('./views/command/IncidentView.vue') }],
      },
      { key: 'alerts', title: '警情导入导出' },
      { key: 'dispatch', title: '调度派警', roles: COMMAND_READ, component: () => import('./views/dispatch/DispatchView.vue') },
      { key: 'directives', title: '治理指令', roles: COMMAND_READ, component: () => import('./views/directives/DirectivesView.vue') },
      { key: 'screen', title: '一屏展' },
    ],
  },
  {
    key: 'community',
    title: '社区警务',
    icon: IconCommunity,
    items: [
      { key: 'people', title: '人口信息', roles: REGISTRY_READ, component: () => import('./views/community/PeopleView.vue') },
      {
        key: 'houses',
        title: '房屋信息',
        roles: REGISTRY_READ,
        component: () => import('./views/community/HousesView.vue'),
        subroutes: [{ path: ':id', name: 'house', title: '房屋详情', component: () => import('./views/community/HouseView.vue') }],
      },
      {
        key: 'organisations',
        title: '单位场所',
        roles: REGISTRY_READ,
        component: () => import('./views/community/OrganisationsView.vue'),
        subroutes: [{ path: ':id', name: 'organisation', title: '单位详情', component: () => import('./views/community/OrganisationView.vue') }],
      },
      { key: 'inspections', title: '安全检查', roles: REGISTRY_READ, component: () => import('./views/community/InspectionsView.vue') },
      { key: 'visits', title: '入户走访', roles: VISIT_LOG, component: () => import('./views/community/VisitLogView.vue') },
      {
        key: 'grids',
        title: '网格管理',
        roles: GRID_READ,
        component: () => import('./views/community/GridsView.vue'),
        subroutes: [{ path: ':code', name: 'grid', title: '网格详情', component: () => import('./views/community/GridView.vue') }],
      },
      { key: 'cards', title: '警民联系卡', roles: FIELD_READ, component: () => import('./views/community/CardsView.vue') },
      { key: 'messages', title: '群众留言', roles: FIELD_SERVE, component: () => import('./views/community/MessagesView.vue') },
      { key: 'services', title: '上门服务', roles: FIELD_READ, component: () => import('./views/community/ServicesView.vue') },
      { key: 'clues', title: '线索', roles: FIELD_READ, component: () => import('./views/community/CluesView.vue') },
      { key: 'volunteers', title: '群防群治', roles: VOLUNTEER_READ, component: () => import('./views/community/VolunteersView.vue') },
      { key: 'school-posts', title: '护学岗', roles: SCHOOL_READ, component: () => import('./views/community/SchoolPostsView.vue') },
      { key: 'my-tasks', title: '我的志愿任务', roles: VOLUNTEER_DUTY, component: () => import('./views/community/VolunteerDutyView.vue') },
    ],
  },
  {
    key: 'cases',
    title: '案件与纠纷',
    icon: IconCases,
    items: [
      {
        key: 'cases',
        title: '民生小案',
        roles: CASE_READ,
        component: () => import('./views/cases/CasesView.vue'),
        subroutes: [{ path: ':id', name: 'case', title: '案件详情', component: () => import('./views/cases/CaseView.vue') }],
      },
      {
        key: 'transfers',
        title: '案件移交',
        roles: CASE_READ,
        component: () => import('./views/cases/TransfersView.vue'),
        subroutes: [{ path: ':id', name: 'transfer', title: '移交详情', component: () => import('./views/cases/TransferView.vue') }],
      },
      {
        key: 'disputes',
        title: '矛盾纠纷',
        roles: DISPUTE_READ,
        component: () => import('./views/cases/DisputesView.vue'),
        subroutes: [{ path: ':id', name: 'dispute', title: '纠纷详情', component: () => import('./views/cases/DisputeView.vue') }],
      },
      {
        key: 'fraud',
        title: '预警劝阻',
        roles: FRAUD_READ,
        component: () => import('./views/cases/FraudView.vue'),
        subroutes: [{ path: ':id', name: 'warning', title: '预警详情', component: () => import('./views/cases/FraudWarningView.vue') }],
      },
      { key: 'reception', title: '暖心警务会客厅', roles: RECEPTION_READ, component: () => import('./views/cases/ReceptionView.vue') },
    ],
  },
  {
    key: 'analysis',
    title: '研判',
    icon: IconAnalysis,
    items: [
      { key: 'hotspots', title: '热点分析' },
      { key: 'near-repeat', title: '近重复分析' },
      { key: 'linkage', title: '串并案' },
      { key: 'trends', title: '趋势分析' },
      { key: 'reports', title: '研判报告' },
    ],
  },
  {
    key: 'system',
    title: '系统管理',
    icon: IconSystem,
    items: [
      { key: 'users', title: '用户管理', roles: ['admin'], component: () => import('./views/admin/UsersView.vue') },
      { key: 'audit', title: '审计日志', roles: ['auditor'], component: () => import('./views/admin/AuditView.vue') },
      { key: 'account', title: '账户信息', component: () => import('./views/AccountView.vue') },
    ],
  },
];

export function itemPath(section, item) {
  return `/${section.key}/${item.key}`;
}
