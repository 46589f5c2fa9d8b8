/**
 * Devices as the settings screen sees them: the list with states (kept live by
 * `devices:changed`), the last receipt the simulated printer printed, the last scan.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DeviceInfo, DeviceList, PrintedReceipt, PrintJob, UsbIdKind } from '../../../../core/api/devices';

type SerialBaud = NonNullable<DeviceInfo['serialBaud']>;
import type { AppErrorShape } from '../../../../core/api/errors';
import { listen, send } from '../../api/client';

export interface ScanSeen {
  code: string;
  source: string;
  at: number;
}

/** Data a USB or serial scanner sent that was no code (garbage, cut off): shown to whoever tests the scanner. */
export interface ScanRefused {
  error: AppErrorShape;
  source: string;
  at: number;
}

/** A scanned string shown on screen: payment codes are masked to their first and last 4. */
export function maskScan(code: string): string {
  return code.length <= 10 ? code : `${code.slice(0, 4)} **** ${code.slice(-4)}`;
}

export const useDevicesStore = defineStore('devices', () => {
  const list = ref<DeviceList>({ devices: [], failedJobs: [], unrecognised: [] });
  const printed = ref<PrintedReceipt | null>(null);
  const lastScan = ref<ScanSeen | null>(null);
  const lastRefused = ref<ScanRefused | null>(null);
  const lastJob = ref<PrintJob | null>(null);

  let started = false;
  async function load(): Promise<void> {
    if (!started) {
      started = true;
      listen('devices:changed', (l) => (list.value = l));
      listen('printer:printed', (p) => (printed.value = p.receipt));
      listen('scanner:scanned', (s) => {
        lastScan.value = { code: s.code, source: s.deviceId, at: s.at };
        lastRefused.value = null;
      });
      listen('scanner:refused', (r) => (lastRefused.value = { error: r.error, source: r.deviceId, at: r.at }));
    }
    list.value = await send('devices:list', {});
  }

  async function select(deviceId: string, paperWidth?: 58 | 80): Promise<void> {
    list.value = await send('devices:select', paperWidth ? { deviceId, paperWidth } : { deviceId });
  }
  /** A device by its USB ids as typed; the core checks them and refuses (changing nothing) with a bilingual error. */
  async function chooseByIds(kind: UsbIdKind, vendorId: string, productId: string): Promise<void> {
    list.value = await send('devices:chooseByIds', { kind, vendorId, productId });
  }
  async function setSerialBaud(deviceId: string, serialBaud: SerialBaud): Promise<void> {
    list.value = await send('devices:select', { deviceId, serialBaud });
  }
  /** A serial printer's flow control (the core checks it). */
  async function setFlowControl(deviceId: string, flowControl: NonNullable<DeviceInfo['flowControl']>): Promise<void> {
    list.value = await send('devices:select', { deviceId, flowControl });
  }
  async function testPrint(): Promise<void> {
    lastJob.value = await send('devices:testPrint', {});
  }
  async function reprint(jobId: string): Promise<void> {
    lastJob.value = await send('devices:reprint', { jobId });
  }
  async function kickDrawer(): Promise<void> {
    await send('devices:kickDrawer', {});
  }
  async function simulate(action: 'paper_out' | 'paper_in' | 'scanner_unplug' | 'scanner_replug' | 'scan', code?: string): Promise<void> {
    await send('devices:simulate', code ? { action, code } : { action });
  }
  function sawWedgeScan(code: string): void {
    lastScan.value = { code, source: 'wedge', at: Date.now() };
    lastRefused.value = null;
  }
  /** A keyboard burst the wedge detector refused, in words (composables/scanner.ts). */
  function sawWedgeRefusal(error: { zh: string; en: string }): void {
    lastRefused.value = { error: { code: 'scanner.not_a_code', ...error }, source: 'wedge', at: Date.now() };
  }

  return { list, printed, lastScan, lastRefused, lastJob, load, select, chooseByIds, setSerialBaud, setFlowControl, testPrint, reprint, kickDrawer, simulate, sawWedgeScan, sawWedgeRefusal };
});
