import { describe, expect, it } from 'vitest';
import { parseReportDescriptor, splitTransfer } from './hid-descriptor';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
// HID 1.11 appendix B.1: the boot keyboard.
const KBD = hex('05010906a101050719e029e715002501750195088102950175088103950575010508190129059102950175039103950675081500256505071900296581 00c0');
// The Scanned Data Report of the HID POS page (0x8C), report id 2, 63 bytes of input.
const POS = hex('058c0902a101 0912a1028502 150026ff007508 0600ff090195018102 058c09fb09fc09fd95038102 09fe9538820201 0600ff090295028102 058c09ff2501750195018102 750795018103 c0c0');
// A composite: keyboard (report id 1) and HID POS (report id 2) in one descriptor.
const BOTH = hex('05010906a1018501050719e029e71500250175019508810295017508810395067508150025650507190029658100c0');

describe('HID report descriptor', () => {
  it('reads a boot keyboard: no report id, 8 bytes of input', () => {
    expect(parseReportDescriptor(KBD)).toEqual({ keyboard: { reportId: null, length: 8 }, pos: null });
  });
  it('reads a HID POS scanner: report id 2, 64 bytes with the id', () => {
    expect(parseReportDescriptor(POS)).toEqual({ keyboard: null, pos: { reportId: 2, length: 64 } });
  });
  it('reads a keyboard and a HID POS collection of one device by their report ids', () => {
    const both = Uint8Array.from([...BOTH, ...POS]);
    expect(parseReportDescriptor(both)).toEqual({ keyboard: { reportId: 1, length: 9 }, pos: { reportId: 2, length: 64 } });
  });
  it('refuses a malformed descriptor (cut short, unbalanced collections) rather than guess', () => {
    expect(parseReportDescriptor(KBD.subarray(0, KBD.length - 2))).toBeNull();
    expect(parseReportDescriptor(hex('05010906a101 c0 c0'))).toBeNull();
    expect(parseReportDescriptor(hex('0501 0906 a101 950'))).toBeNull();
  });
  it('splits a transfer of coalesced reports, and refuses one that is not whole reports', () => {
    const l = parseReportDescriptor(KBD)!;
    expect(splitTransfer(new Uint8Array(64), l)!.map((x) => [x.kind, x.report.length])).toEqual(Array(8).fill(['keyboard', 8]));
    expect(splitTransfer(new Uint8Array(12), l)).toBeNull();
  });
});
