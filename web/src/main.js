import { createApp } from 'vue';
import { ElMessage } from 'element-plus';
import 'element-plus/dist/index.css';
import './styles.css';
import App from './App.vue';
import router from './router.js';
import { onUnauthorized } from './api.js';
import { clearSession, session } from './session.js';

// Any 401 means the session expired or was revoked: forget it and go to the
// login page, coming back to the current page afterwards.
let redirecting = false;
onUnauthorized(() => {
  const wasSignedIn = !!session.user;
  clearSession();
  const current = router.currentRoute.value;
  if (redirecting || current.name === 'login') return;
  redirecting = true;
  if (wasSignedIn) ElMessage.warning('登录已失效，请重新登录');
  const query = current.fullPath && current.fullPath !== '/' ? { redirect: current.fullPath } : {};
  router.replace({ name: 'login', query }).finally(() => {
    redirecting = false;
  });
});

createApp(App).use(router).mount('#app');
