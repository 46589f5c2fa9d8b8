// @vitest-environment happy-dom
/**
 * Issue 16: the status bar warns when the disk is low or full (or the database damaged), in the
 * core's own words for the screen's language, and follows `ops:health`.
 */
import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpsHealth } from '../../../core/api/ops';
import { setBridge } from '../api/transport';
import { install, mountBar } from './status-bar-kit';

const ok: OpsHealth = { storage: 'ok', freeBytes: 50e9, message: null };
const low: OpsHealth = { storage: 'low', freeBytes: 100 * 1024 ** 2, message: { zh: '磁盘空间不足（剩余 100 MB）', en: 'Disk space is low (100 MB left)' } };

let emit: (event: string, payload: unknown) => void;
const installHealth = (first: OpsHealth) => (emit = install({ 'ops:health': first }));

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => setBridge(null));

describe('the status bar and the disk', () => {
  it('says nothing while all is well, then warns as an alert when the core says the disk is low', async () => {
    installHealth(ok);
    const w = mountBar('en');
    await flushPromises();
    expect(w.find('[data-testid="storage-problem"]').exists()).toBe(false);
    emit('ops:health', low);
    await flushPromises();
    const note = w.find('[data-testid="storage-problem"]');
    expect(note.attributes('role')).toBe('alert');
    expect(note.text()).toContain('Disk space is low (100 MB left)');
    emit('ops:health', ok);
    await flushPromises();
    expect(w.find('[data-testid="storage-problem"]').exists()).toBe(false);
  });

  it('reads the state at mount, in Chinese on a Chinese screen', async () => {
    installHealth(low);
    const w = mountBar('zh-CN');
    await flushPromises();
    expect(w.find('[data-testid="storage-problem"]').text()).toContain('磁盘空间不足');
  });
});
