// @vitest-environment happy-dom
/**
 * Offline, the status bar says 离线 and nothing else about the link: the last measured delay
 * belongs to a link that is gone ("离线(延迟 50 毫秒)" read as a contradiction, issue 12).
 */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setBridge } from '../api/transport';
import { makeI18n } from '../i18n';
import { useSystemStore } from '../stores/system';
import StatusBar from './StatusBar.vue';

const mountBar = () => mount(StatusBar, { global: { plugins: [makeI18n('zh-CN')], stubs: { 'router-link': { props: ['to'], template: '<a :href="to"><slot /></a>' } } } });

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => setBridge(null));

describe('the status bar’s link state', () => {
  it('shows the delay while online and hides it when offline', async () => {
    const w = mountBar();
    const system = useSystemStore();
    system.connectivity = { state: 'online', rttMs: 50, lastOkAt: 1 };
    await w.vm.$nextTick();
    expect(w.find('[data-testid="connectivity"]').text()).toContain('50 毫秒');
    system.connectivity = { state: 'offline', rttMs: 50, lastOkAt: 1 };
    await w.vm.$nextTick();
    const text = w.find('[data-testid="connectivity"]').text();
    expect(text).toContain('离线');
    expect(text).not.toContain('毫秒');
  });
});
