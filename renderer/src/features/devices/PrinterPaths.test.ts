// @vitest-environment happy-dom
/**
 * The Devices screen's other printer paths: serial ports, CUPS queues and Windows printers listed
 * with what cannot be known on each (status), chosen through `devices:select` (a refusal shown,
 * in the screen's language); a chosen serial printer's card shows its path and takes baud rate
 * and flow control; a queue printer's card says its status is not known.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { DeviceInfo, DeviceList } from '../../../../core/api/devices';
import type { RpcResult } from '../../../../core/api/dispatcher';
import { methodNames } from '../../../../core/api/names';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import { usePrefsStore } from '../../stores/prefs';
import { useSessionStore } from '../../stores/session';
import DevicesView from './DevicesView.vue';

const device = (over: Partial<DeviceInfo> & Pick<DeviceInfo, 'id' | 'kind' | 'transport' | 'name'>): DeviceInfo => ({
  vendorId: null, productId: null, selected: false, state: 'ready', message: null, udevRule: null, paperWidth: null, serialBaud: null, ...over,
});
const SERIAL = 'printer:serial:0416:5011:ttyusb0';
const CUPS = 'printer:cups:receipt_58';
const SERIAL_VIA = { zh: '串口 /dev/ttyUSB0，9600 波特，无流控：状态（DLE EOT）和打印完成在同一串口读取。', en: 'Serial port /dev/ttyUSB0, 9600 baud, no flow control: status (DLE EOT) and completion are read on the same port.' };
const CUPS_VIA = { zh: '系统打印队列 CUPS “Receipt_58”（raw）：只知道队列和任务的状态。', en: 'System print queue, CUPS "Receipt_58" (raw): only the queue\'s and the job\'s state are known.' };

let calls: Array<{ method: string; input: Record<string, unknown> }>;
let list: DeviceList;

function install() {
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (input: unknown): Promise<RpcResult> => {
      calls.push({ method: m, input: input as Record<string, unknown> });
      if (m === 'devices:list') return { ok: true, value: list };
      if (m === 'devices:select') {
        const i = input as { deviceId: string; serialBaud?: 19200; flowControl?: 'rtscts' };
        if (i.deviceId === 'printer:cups:gone') return { ok: false, error: { code: 'printer.queue_missing', zh: '系统里没有打印队列“gone”。', en: 'There is no print queue "gone" on this computer.' } };
        const chosen = i.deviceId === SERIAL
          ? device({ id: SERIAL, kind: 'printer', transport: 'serial', name: '串口打印机 Serial printer /dev/ttyUSB0', selected: true, paperWidth: 58, serialBaud: i.serialBaud ?? 9600, flowControl: i.flowControl ?? 'none', via: SERIAL_VIA })
          : device({ id: i.deviceId, kind: 'printer', transport: 'queue', name: 'CUPS 打印队列 queue Receipt_58', selected: true, paperWidth: 58, via: CUPS_VIA,
            message: { zh: '队列无法得知打印机是否缺纸、开盖。', en: 'The queue cannot see whether the printer is out of paper or open.' } });
        list = { ...list, devices: [...list.devices.filter((d) => d.kind !== 'printer' || d.id === 'printer:sim').map((d) => ({ ...d, selected: d.kind === 'printer' ? false : d.selected })), chosen] };
        return { ok: true, value: list };
      }
      return { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
    }]),
  ) as CashierBridge['call'];
  setBridge({ call, on: () => () => {} });
}

async function open(role: 'cashier' | 'supervisor' = 'supervisor', locale: 'zh-CN' | 'en' = 'zh-CN') {
  const session = useSessionStore();
  session.operator = role === 'cashier' ? { id: 'cashier1', name: '王芳（收银员）', role } : { id: 'super1', name: '李强（主管）', role };
  usePrefsStore().locale = locale;
  const w = mount(DevicesView, { global: { plugins: [makeI18n(locale)], stubs: { WedgeProfiles: true, WedgeTestBox: true, UsbIdChoice: true } } });
  await flushPromises();
  return w;
}

beforeEach(() => {
  setActivePinia(createPinia());
  calls = [];
  list = {
    devices: [device({ id: 'printer:sim', kind: 'printer', transport: 'simulated', name: '模拟打印机 Simulated printer', selected: true, paperWidth: 58 })],
    failedJobs: [],
    unrecognised: [],
    printerCandidates: [
      { id: SERIAL, path: 'serial', name: '/dev/ttyUSB0', detail: 'Xprinter 0416:5011' },
      { id: CUPS, path: 'cups', name: 'Receipt_58', detail: 'usb://Xprinter/XP-58' },
      { id: 'printer:cups:gone', path: 'cups', name: 'gone', detail: null },
    ],
  };
  install();
});
afterEach(() => setBridge(null));

describe('other ways to print', () => {
  it('lists serial ports and queues with what cannot be known on each, in both languages', async () => {
    const zh = await open();
    expect(zh.find(`[data-testid="path-${SERIAL}"]`).text()).toContain('串口 / 虚拟 COM');
    expect(zh.find(`[data-testid="path-status-${SERIAL}"]`).text()).toContain('不回答时未知');
    expect(zh.find(`[data-testid="path-status-${CUPS}"]`).text()).toContain('无法得知');
    zh.unmount();
    const en = await open('supervisor', 'en');
    expect(en.find(`[data-testid="path-${CUPS}"]`).text()).toContain('CUPS print queue (Linux)');
    expect(en.find(`[data-testid="path-status-${CUPS}"]`).text()).toContain('Status: not known');
  });

  it('a cashier does not see it (choosing a printer is a supervisor\'s)', async () => {
    const w = await open('cashier');
    expect(w.find('[data-testid="printer-paths"]').exists()).toBe(false);
  });

  it('chooses a serial printer: its card says the path, and takes baud rate and flow control', async () => {
    const w = await open('supervisor', 'en');
    await w.find(`[data-testid="path-${SERIAL}"] button`).trigger('click');
    await flushPromises();
    expect(calls.at(-1)).toEqual({ method: 'devices:select', input: { deviceId: SERIAL } });
    expect(w.find(`[data-testid="via-${SERIAL}"]`).text()).toBe(SERIAL_VIA.en);
    expect(w.find(`[data-testid="path-${SERIAL}"]`).exists()).toBe(false); // now a card above, not a candidate
    await w.find('[data-testid="serial-flow"]').setValue('rtscts');
    await flushPromises();
    expect(calls.at(-1)).toEqual({ method: 'devices:select', input: { deviceId: SERIAL, flowControl: 'rtscts' } });
    await w.find('[data-testid="serial-baud"]').setValue('19200');
    await flushPromises();
    expect(calls.at(-1)).toEqual({ method: 'devices:select', input: { deviceId: SERIAL, serialBaud: 19200 } });
  });

  it('chooses a CUPS queue: its card says the status is not known', async () => {
    const w = await open();
    await w.find(`[data-testid="path-${CUPS}"] button`).trigger('click');
    await flushPromises();
    const card = w.find(`[data-testid="device-${CUPS}"]`);
    expect(card.text()).toContain('系统打印队列');
    expect(card.text()).toContain('队列无法得知打印机是否缺纸');
    expect(w.find(`[data-testid="via-${CUPS}"]`).text()).toBe(CUPS_VIA.zh);
  });

  it('shows the core\'s refusal in the screen\'s language, and nothing changes', async () => {
    const w = await open();
    await w.find('[data-testid="path-printer:cups:gone"] button').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="paths-error"]').text()).toContain('系统里没有打印队列');
    expect(w.find('[data-testid="device-printer:sim"]').text()).toContain('正在使用');
  });
});
