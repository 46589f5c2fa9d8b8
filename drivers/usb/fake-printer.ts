/**
 * A fake ESC/POS printer behind a FakeUsbDevice, for the transport and manager tests: the
 * printer's behaviour (receive buffer, paper end, in-order answers, real-time commands) is
 * printer/escpos-twin.ts; this plugs it onto bulk OUT 1 / bulk IN 2.
 */
import { EscPosTwin, type TwinBehaviour } from '../printer/escpos-twin';
import { FakeUsbDevice, fakePrinterConfig } from './fake-device';

export type FakePrinterBehaviour = TwinBehaviour;

export class FakeEscPosPrinter extends EscPosTwin {
  constructor(readonly device: FakeUsbDevice, b: Partial<FakePrinterBehaviour> = {}) {
    super((bytes) => device.queueIn(2, Uint8Array.from(bytes)), b);
    device.onOut = (_ep, data) => this.receiveTransfer(data);
  }

  static usb(b: Partial<FakePrinterBehaviour> = {}, vendorId = 0x0416, productId = 0x5011): FakeEscPosPrinter {
    return new FakeEscPosPrinter(new FakeUsbDevice(vendorId, productId, fakePrinterConfig(), 'POS-58', '1', [2]), b);
  }
}
