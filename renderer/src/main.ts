import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { makeI18n } from './i18n';
import { makeRouter } from './router';
import './styles.css';

const app = createApp(App);
app.use(createPinia());
app.use(makeI18n());
app.use(makeRouter());
app.mount('#app');
