import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { useSessionStore } from './stores/session';
import LoginView from './features/login/LoginView.vue';
import CheckoutView from './features/checkout/CheckoutView.vue';
import CustomerView from './features/customer/CustomerView.vue';
import AgentView from './features/agent/AgentView.vue';
import HistoryView from './features/history/HistoryView.vue';
import DetailView from './features/history/DetailView.vue';
import ForwardingView from './features/forwarding/ForwardingView.vue';
import ReportView from './features/report/ReportView.vue';
import AmlView from './features/aml/AmlView.vue';
import ReconcileView from './features/reconcile/ReconcileView.vue';
import SettingsView from './features/settings/SettingsView.vue';
import DevicesView from './features/devices/DevicesView.vue';
import TrainingView from './features/training/TrainingView.vue';
import PhoneView from './features/training/PhoneView.vue';
import FaceView from './features/face/FaceView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without login (login screen, customer display). */
    public?: boolean;
    /** Shown without the cashier's header and status bar (the customer display). */
    bare?: boolean;
  }
}

export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/checkout' },
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  { path: '/checkout', name: 'checkout', component: CheckoutView },
  { path: '/history', name: 'history', component: HistoryView },
  { path: '/history/:orderNo', name: 'detail', component: DetailView, props: true },
  { path: '/forwarding', name: 'forwarding', component: ForwardingView },
  { path: '/report', name: 'report', component: ReportView },
  { path: '/agent', name: 'agent', component: AgentView },
  { path: '/aml', name: 'aml', component: AmlView },
  { path: '/reconcile', name: 'reconcile', component: ReconcileView },
  { path: '/settings', name: 'settings', component: SettingsView },
  { path: '/devices', name: 'devices', component: DevicesView },
  // Face payment (and, in demo mode, `?enrol=W07` to enrol a demo customer's face).
  { path: '/face', name: 'face', component: FaceView },
  // The customer display: a second window under Electron, its own tab in the browser shell.
  { path: '/customer', name: 'customer', component: CustomerView, meta: { public: true, bare: true } },
  // Demo mode: the trainer console, and the customer's phone in its own window or tab. The phone
  // needs no login of its own: the core refuses its calls unless an operator is logged in.
  { path: '/training', name: 'training', component: TrainingView },
  { path: '/phone', name: 'phone', component: PhoneView, meta: { public: true, bare: true } },
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
