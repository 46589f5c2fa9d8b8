import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { useSessionStore } from './stores/session';
import LoginView from './features/login/LoginView.vue';
import CheckoutView from './features/checkout/CheckoutView.vue';

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/checkout' },
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  { path: '/checkout', name: 'checkout', component: CheckoutView },
];

/** Hash history: the page is a file under Electron, so paths must not leave index.html. */
export function makeRouter() {
  const router = createRouter({ history: createWebHashHistory(), routes });
  router.beforeEach((to) => {
    const session = useSessionStore();
    if (!to.meta.public && !session.loggedIn) return { name: 'login' };
    return true;
  });
  return router;
}
