// @vitest-environment happy-dom
/**
 * The Devices screen as a supervisor and a cashier see it: the selected serial scanner's baud
 * rate (changed through `devices:select`, read-only for a cashier), the line that says a USB or
 * serial scanner sent something that was no code (`scanner:refused`), and the installer's
 * "use a device by USB id" form — the ids go to the core as typed, its bilingual refusal is
 * shown on the field it is about and changes nothing, a listed unrecognised device fills the form
 * in one click, a keyboard is shown refused with no way to pick it.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashierBridge } from '../../../../core/api/bridge';
import type { DeviceInfo, DeviceList } from '../../../../core/api/devices';
import type { RpcResult } from '../../../../core/api/dispatcher';
import type { AppErrorShape } from '../../../../core/api/errors';
import { methodNames } from '../../../../core/api/names';
import { setBridge } from '../../api/transport';
import { makeI18n } from '../../i18n';
import { usePrefsStore } from '../../stores/prefs';
import { useSessionStore } from '../../stores/session';
import DevicesView from './DevicesView.vue';

const device = (over: Partial<DeviceInfo> & Pick<DeviceInfo, 'id' | 'kind' | 'transport' | 'name'>): DeviceInfo => ({
  vendorId: null, productId: null, selected: false, state: 'ready', message: null, udevRule: null, paperWidth: null, serialBaud: null, ...over,
});
const SERIAL = 'scanner:serial:1a86:7523:ttyusb0';
const base = (): DeviceList => ({
  devices: [
    device({ id: 'printer:sim', kind: 'printer', transport: 'simulated', name: '模拟打印机 Simulated printer', selected: true, paperWidth: 58 }),
    device({ id: SERIAL, kind: 'scanner', transport: 'serial', name: 'wch.cn /dev/ttyUSB0', vendorId: 0x1a86, productId: 0x7523, selected: true, serialBaud: 9600 }),
    device({ id: 'scanner:wedge', kind: 'scanner', transport: 'wedge', name: '键盘模式扫码枪 Keyboard-mode scanner' }),
  ],
  failedJobs: [],
  unrecognised: [
    { vendorId: 0x046d, productId: 0xc31c, name: 'USB Keyboard', port: null, kinds: ['hid_scanner'], refusal: { zh: '046D:C31C 属于 Logitech：这是电脑的键盘或鼠标，不能选用。', en: 'A keyboard.' } },
    { vendorId: 0x1a86, productId: 0xe026, name: 'Barcode Scanner', port: null, kinds: ['hid_scanner'], refusal: null },
    { vendorId: 0x0483, productId: 0x5720, name: null, port: null, kinds: ['printer'], refusal: null },
  ],
});

let calls: Array<{ method: string; input: Record<string, unknown> }>;
let list: DeviceList;
let listeners: Map<string, Set<(p: unknown) => void>>;
/** What devices:chooseByIds answers next: an error shape, or null to accept. */
let chooseAnswer: AppErrorShape | null;

function install() {
  const call = Object.fromEntries(
    methodNames.map((m) => [m, async (input: unknown): Promise<RpcResult> => {
      calls.push({ method: m, input: input as Record<string, unknown> });
      if (m === 'devices:list') return { ok: true, value: list };
      if (m === 'devices:select') {
        const { deviceId, serialBaud } = input as { deviceId: string; serialBaud?: 9600 | 115200 };
        list = { ...list, devices: list.devices.map((d) => (d.id === deviceId && serialBaud ? { ...d, serialBaud } : d)) };
        return { ok: true, value: list };
      }
      if (m === 'devices:chooseByIds') {
        if (chooseAnswer) return { ok: false, error: chooseAnswer };
        const chosen = device({ id: 'scanner:usb:1a86:e026:1.2', kind: 'scanner', transport: 'usb', name: 'Barcode Scanner', vendorId: 0x1a86, productId: 0xe026, selected: true });
        list = {
          ...list,
          devices: [...list.devices.map((d) => (d.kind === 'scanner' ? { ...d, selected: false } : d)), chosen],
          unrecognised: list.unrecognised.filter((r) => r.productId !== 0xe026),
        };
        return { ok: true, value: list };
      }
      return { ok: false, error: { code: 'x', zh: '未完成', en: 'not done' } };
    }]),
  ) as CashierBridge['call'];
  setBridge({
    call,
    on: (event, l) => {
      const set = listeners.get(event) ?? new Set();
      set.add(l);
      listeners.set(event, set);
      return () => set.delete(l);
    },
  });
}
const emit = (event: string, payload: unknown) => {
  for (const l of listeners.get(event) ?? []) l(payload);
};

function asRole(role: 'cashier' | 'supervisor') {
  const session = useSessionStore();
  session.operator = role === 'cashier' ? { id: 'cashier1', name: '王芳（收银员）', role } : { id: 'super1', name: '李强（主管）', role };
}

async function open(role: 'cashier' | 'supervisor' = 'supervisor', locale: 'zh-CN' | 'en' = 'zh-CN') {
  asRole(role);
  usePrefsStore().locale = locale; // the app keeps the screen's language and the prefs' in step
  const w = mount(DevicesView, { global: { plugins: [makeI18n(locale)], stubs: { WedgeProfiles: true, WedgeTestBox: true } } });
  await flushPromises();
  return w;
}

beforeEach(() => {
  setActivePinia(createPinia());
  calls = [];
  listeners = new Map();
  list = base();
  chooseAnswer = null;
  install();
});
afterEach(() => setBridge(null));

describe('the serial scanner\'s baud rate', () => {
  it('shows the rate the port is opened at and changes it through devices:select', async () => {
    const w = await open();
    const select = w.find<HTMLSelectElement>('[data-testid="serial-baud"]');
    expect(select.element.value).toBe('9600');
    expect(select.findAll('option').map((o) => o.text())).toEqual(['1200', '2400', '4800', '9600', '19200', '38400', '57600', '115200']);
    expect(w.find(`[data-testid="device-${SERIAL}"]`).text()).toContain('RS-232 扫码枪须与扫码枪上的设置一致');
    await select.setValue('115200');
    await flushPromises();
    expect(calls.filter((c) => c.method === 'devices:select').map((c) => c.input)).toEqual([{ deviceId: SERIAL, serialBaud: 115200 }]);
    expect(w.find<HTMLSelectElement>('[data-testid="serial-baud"]').element.value).toBe('115200');
  });

  it('is read-only for a cashier, and only shown for the selected serial scanner', async () => {
    const w = await open('cashier');
    expect(w.find('[data-testid="serial-baud"]').attributes('disabled')).toBeDefined();
    list = base();
    list.devices = list.devices.map((d) => (d.id === SERIAL ? { ...d, selected: false } : d));
    const w2 = await open();
    expect(w2.find('[data-testid="serial-baud"]').exists()).toBe(false);
  });
});

describe('a scan the scanner sent that was no code', () => {
  it('says which scanner sent it and why it was discarded, until the next good scan', async () => {
    const w = await open();
    expect(w.find('[data-testid="scan-refused"]').exists()).toBe(false);
    emit('scanner:refused', { deviceId: SERIAL, at: 1, error: { code: 'scanner.bad_report', zh: '扫码枪发来的数据不完整，请重扫。', en: 'The scanner sent an incomplete code. Scan again.' } });
    await flushPromises();
    const line = w.find('[data-testid="scan-refused"]');
    expect(line.attributes('role')).toBe('alert');
    expect(line.text()).toBe('wch.cn /dev/ttyUSB0 发来的数据不是完整的码，已丢弃：扫码枪发来的数据不完整，请重扫。');
    emit('scanner:scanned', { deviceId: SERIAL, code: '134567890123456789', at: 2 });
    await flushPromises();
    expect(w.find('[data-testid="scan-refused"]').exists()).toBe(false);
    expect(w.find('[data-testid="scan-result"]').text()).toContain('1345 **** 6789');
  });

  it('reads in English with the English reason', async () => {
    const w = await open('supervisor', 'en');
    emit('scanner:refused', { deviceId: SERIAL, at: 1, error: { code: 'scanner.bad_report', zh: '不完整，请重扫。', en: 'Incomplete code. Scan again.' } });
    await flushPromises();
    expect(w.find('[data-testid="scan-refused"]').text()).toBe('What wch.cn /dev/ttyUSB0 sent was not a whole code and was discarded: Incomplete code. Scan again.');
  });
});

describe('use a device by USB id', () => {
  it('is not offered to a cashier', async () => {
    const w = await open('cashier');
    expect(w.find('[data-testid="usb-id-choice"]').exists()).toBe(false);
  });

  it('lists the unrecognised devices; a keyboard is shown refused and cannot be picked; one click fills the form', async () => {
    const w = await open();
    expect(w.find('[data-testid="byid-warning"]').text()).toContain('它就不再作为键盘打字');
    expect(w.find('[data-testid="byid-warning"]').text()).toContain('认不出：其他厂商的普通 USB 键盘');
    const kbd = w.find('[data-testid="unrecognised-046d:c31c"]');
    expect(kbd.text()).toContain('USB Keyboard');
    expect(w.find('[data-testid="refusal-046d:c31c"]').text()).toContain('不能选用：046D:C31C 属于 Logitech');
    expect(w.find('[data-testid="pick-046d:c31c"]').exists()).toBe(false);
    expect(kbd.text()).not.toContain('可作'); // a refused device is not offered as anything
    expect(w.find('[data-testid="unrecognised-0483:5720"]').text()).toContain('（设备未报名称）');
    expect(w.find('[data-testid="unrecognised-0483:5720"]').text()).toContain('可作：小票打印机');

    await w.find('[data-testid="pick-0483:5720"]').trigger('click');
    expect(w.find<HTMLInputElement>('[data-testid="byid-vendor"]').element.value).toBe('0483');
    expect(w.find<HTMLInputElement>('[data-testid="byid-product"]').element.value).toBe('5720');
    expect(w.find<HTMLInputElement>('[data-testid="byid-kind-printer"]').element.checked).toBe(true);
    expect(calls.some((c) => c.method === 'devices:chooseByIds')).toBe(false); // filling is not choosing

    await w.find('[data-testid="pick-1a86:e026"]').trigger('click');
    expect(w.find<HTMLInputElement>('[data-testid="byid-kind-hid_scanner"]').element.checked).toBe(true);
    await w.find('[data-testid="byid-form"]').trigger('submit');
    await flushPromises();
    expect(calls.filter((c) => c.method === 'devices:chooseByIds').map((c) => c.input)).toEqual([{ kind: 'hid_scanner', vendorId: '1A86', productId: 'E026' }]);
    expect(w.find('[data-testid="byid-notice"]').text()).toBe('已选用 1A86:E026（HID 扫码枪（原始 HID））。插着就开始使用；拔出重插、重启后都保持。');
    expect(w.find('[data-testid="device-scanner:usb:1a86:e026:1.2"]').text()).toContain('正在使用');
    expect(w.find('[data-testid="unrecognised-1a86:e026"]').exists()).toBe(false);
  });

  it('sends the ids as typed and shows the core\'s refusal on the field it is about, changing nothing', async () => {
    const w = await open();
    chooseAnswer = { code: 'devices.bad_usb_id', zh: '厂商编号（VID）须为 4 位十六进制数（0–9、A–F），例如 1A86。', en: 'The vendor id (VID) must be 4 hex digits.', detail: { field: 'vendorId' } };
    await w.find('[data-testid="byid-kind-serial_scanner"]').setValue(true);
    await w.find('[data-testid="byid-vendor"]').setValue('zz12');
    await w.find('[data-testid="byid-product"]').setValue('7523');
    await w.find('[data-testid="byid-form"]').trigger('submit');
    await flushPromises();
    expect(calls.filter((c) => c.method === 'devices:chooseByIds').map((c) => c.input)).toEqual([{ kind: 'serial_scanner', vendorId: 'zz12', productId: '7523' }]);
    const err = w.find('[data-testid="byid-error"]');
    expect(err.attributes('role')).toBe('alert');
    expect(err.text()).toContain('须为 4 位十六进制数');
    expect(w.find('[data-testid="byid-vendor"]').attributes('aria-invalid')).toBe('true');
    expect(w.find('[data-testid="byid-product"]').attributes('aria-invalid')).toBe('false');
    expect(w.find('[data-testid="byid-notice"]').exists()).toBe(false);
    // The device list is as it was: the selected serial scanner still selected.
    expect(w.find(`[data-testid="device-${SERIAL}"]`).text()).toContain('正在使用');
    expect(w.find<HTMLInputElement>('[data-testid="byid-vendor"]').element.value).toBe('zz12'); // kept for correcting

    // A keyboard refused: no field marked, the reason shown.
    chooseAnswer = { code: 'devices.keyboard', zh: '046D:C31C 属于 Logitech：不能选用。', en: 'A keyboard.', detail: { reason: 'keyboard_maker' } };
    await w.find('[data-testid="byid-vendor"]').setValue('046d');
    await w.find('[data-testid="byid-product"]').setValue('c31c');
    await w.find('[data-testid="byid-form"]').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="byid-error"]').text()).toContain('Logitech');
    expect(w.find('[data-testid="byid-vendor"]').attributes('aria-invalid')).toBe('false');
  });
});

describe('receipts sent but not confirmed', () => {
  it('lists an unconfirmed job as "sent, unconfirmed" with what to do, and a printer whose status is unknown says so', async () => {
    const unconfirmed = { code: 'printer.unconfirmed', zh: '小票已发送，但打印机无法确认已打出：请看一眼纸上是否有这张小票。', en: 'The receipt was sent, but the printer cannot confirm it printed: check the paper.' };
    list.failedJobs = [{ id: 'J1', kind: 'receipt', orderNo: 'T000120261128000001', state: 'unconfirmed', error: unconfirmed, createdAt: 0, mayHavePrinted: true }];
    list.devices[0] = { ...list.devices[0]!, message: { zh: '打印机不回报状态：无法得知是否缺纸。', en: 'The printer does not report its status.' } };
    const w = await open();
    expect(w.find('[data-testid="unconfirmed-J1"]').text()).toBe('已发送，未确认');
    expect(w.find('[data-testid="job-J1"]').text()).toContain('请看一眼纸上');
    expect(w.find('[data-testid="device-printer:sim"]').text()).toContain('打印机不回报状态');
  });
});

describe('which path reads a raw-HID scanner, and why', () => {
  const HID = 'scanner:usb:05e0:1300:1.4';
  const via = { zh: 'Windows：经 hidapi（node-hid）读取，无需用 Zadig 替换驱动。', en: "Windows: read through hidapi (node-hid) on Windows' own HID driver: no driver to replace (no Zadig)." };
  it('shows the path the device manager gives, in the screen\'s language', async () => {
    list = { ...list, devices: [...list.devices, device({ id: HID, kind: 'scanner', transport: 'usb', name: 'Zebra HID POS', vendorId: 0x05e0, productId: 0x1300, via })] };
    const zh = await open('supervisor', 'zh-CN');
    expect(zh.find(`[data-testid="via-${HID}"]`).text()).toBe(via.zh);
    zh.unmount();
    const en = await open('supervisor', 'en');
    expect(en.find(`[data-testid="via-${HID}"]`).text()).toBe(via.en);
    // A device without a path to tell (the keyboard wedge) shows none.
    expect(en.find('[data-testid="via-scanner:wedge"]').exists()).toBe(false);
  });
});
