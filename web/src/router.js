// Routes and the guard that keeps signed-out users on the login page.
// History mode: the server answers every non-/api path with index.html.
import { createRouter, createWebHistory } from 'vue-router';
import { ElMessage } from 'element-plus';
import { session, loadSession, hasAnyRole } from './session.js';
import { NAV_SECTIONS, VISIT_LOG, itemPath } from './nav.js';
import { VOLUNTEER_DUTY } from './nav.js';

const PRODUCT = '枫桥';

function sectionRoutes() {
  const routes = [];
  for (const section of NAV_SECTIONS) {
    for (const item of section.items) {
      routes.push({
        path: itemPath(section, item).slice(1),
        name: `${section.key}-${item.key}`,
        component: item.component || (() => import('./views/UnderConstruction.vue')),
        meta: { title: item.title, section: section.title, roles: item.roles || [] },
      });
      for (const sub of item.subroutes || []) {
        routes.push({
          path: `${itemPath(section, item).slice(1)}/${sub.path}`,
          name: `${section.key}-${item.key}-${sub.name}`,
          component: sub.component,
          meta: {
            title: sub.title,
            section: section.title,
            parent: { title: item.title, path: itemPath(section, item) },
            nav: itemPath(section, item),
            roles: sub.roles || item.roles || [],
          },
        });
      }
    }
    // The section's first page this user may open.
    routes.push({
      path: section.key,
      redirect: () => itemPath(section, section.items.find((item) => hasAnyRole(item.roles)) || section.items[0]),
    });
  }
  return routes;
}

const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { public: true, title: '登录' },
  },
  {
    // A contact card's public page (its QR code): residents, no sign-in.
    path: '/c/:token',
    name: 'card-page',
    component: () => import('./views/public/CardPage.vue'),
    meta: { public: true, title: '警民联系卡' },
  },
  {
    // Visit logging on a phone: signed in, without the desktop frame.
    path: '/m/visits',
    name: 'mobile-visits',
    component: () => import('./views/community/VisitLogView.vue'),
    meta: { title: '入户走访', roles: VISIT_LOG },
  },
  {
    // A volunteer's tasks on a phone: check in and out, report a clue.
    path: '/m/volunteer',
    name: 'mobile-volunteer',
    component: () => import('./views/community/VolunteerDutyView.vue'),
    meta: { title: '我的志愿任务', roles: VOLUNTEER_DUTY },
  },
  {
    path: '/',
    component: () => import('./layouts/AppFrame.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: '概览' } },
      ...sectionRoutes(),
      {
        path: ':rest(.*)*',
        name: 'not-found',
        component: () => import('./views/NotFound.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
];

const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach(async (to) => {
  if (!session.checked && to.name !== 'card-page') {
    try {
      await loadSession();
    } catch {
      // Server unreachable: the login page will report it on the next try.
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.user) return { path: safeRedirect(to.query.redirect) };
    return true;
  }
  if (!session.user) {
    const query = to.fullPath && to.fullPath !== '/' ? { redirect: to.fullPath } : {};
    return { name: 'login', query };
  }
  if (!hasAnyRole(to.meta.roles)) {
    ElMessage.warning('没有访问该页面的权限');
    return { name: 'home' };
  }
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · ${PRODUCT}` : `${PRODUCT} · 基层派出所综合平台`;
});

// Only same-app paths are accepted as a post-login destination.
export function safeRedirect(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/login')) return '/';
  return value;
}

export default router;
