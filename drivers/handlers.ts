/** The contract's `devices:*` handlers, served by the device manager (wired in core/app.ts). */
import type { Handlers } from '../core/api/contract';
import type { DeviceManager } from './manager';

type DeviceHandlers = Pick<Handlers, 'devices:list' | 'devices:select' | 'devices:chooseByIds' | 'devices:testPrint' | 'devices:kickDrawer' | 'devices:reprint' | 'devices:simulate'>;

export function deviceHandlers(devices: DeviceManager): DeviceHandlers {
  return {
    'devices:list': async () => devices.list(),
    'devices:select': ({ deviceId, paperWidth, serialBaud, flowControl }) => devices.select(deviceId, paperWidth, serialBaud, flowControl),
    'devices:chooseByIds': ({ kind, vendorId, productId }) => devices.chooseByIds(kind, vendorId, productId),
    'devices:testPrint': () => devices.testPrint(),
    'devices:kickDrawer': async () => {
      await devices.kickDrawer();
      return { ok: true as const };
    },
    'devices:reprint': ({ jobId }) => devices.reprint(jobId),
    'devices:simulate': async ({ action, code }) => {
      await devices.simulate(action, code);
      return { ok: true as const };
    },
  };
}
