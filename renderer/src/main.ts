import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { installErrorReporting } from './api/report-errors';
import { makeI18n } from './i18n';
import { makeRouter } from './router';
import './styles.css';

const app = createApp(App);
// The page's uncaught errors reach the terminal's log (core/ops).
installErrorReporting(app);
app.use(createPinia());
app.use(makeI18n());
app.use(makeRouter());
app.mount('#app');
