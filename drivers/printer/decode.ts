/**
 * ESC/POS bytes → what the paper would show. The simulated printer runs every job through this,
 * so a trainee sees exactly what a real printer would print from the same bytes (and a bug in
 * the encoder shows up on screen, not only on paper).
 *
 * Only the commands this app sends (and that common Chinese 58/80 mm printers implement) are
 * understood; anything else is refused with the offset, because a real printer would print
 * garbage there and the trainee should not be shown a clean receipt instead.
 */
import iconv from 'iconv-lite';
import QRCode from 'qrcode';
import { AppError } from '../../core/api/errors';
import type { PrintedBlock, PrintedReceipt } from '../../core/api/devices';

export const MAX_JOB_BYTES = 1 << 20;

export const DecodeErrors = {
  unknown: (offset: number, bytes: number[]) =>
    new AppError('printer.sim_unknown_command', '模拟打印机收到无法识别的指令。', 'The simulated printer received a command it does not know.',
      { offset, bytes: bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ') }),
  truncated: (offset: number) =>
    new AppError('printer.sim_truncated', '打印数据不完整。', 'The print data ends in the middle of a command.', { offset }),
  tooLarge: () => new AppError('printer.sim_too_large', '打印数据过大。', 'The print job is too large.'),
  /** Epson: a bar code or QR wider than the print area is not printed at all (the rest is). */
  tooWide: (what: 'barcode' | 'qr', dots: number, area: number) =>
    new AppError('printer.sim_too_wide', `${what === 'qr' ? '二维码' : '条码'}宽 ${dots} 点，超出打印区域 ${area} 点，打印机不会打印它。`,
      `The ${what === 'qr' ? 'QR code' : 'bar code'} is ${dots} dots wide, more than the ${area}-dot print area: the printer would not print it.`, { dots, area }),
};

/** Font A is 12 dots wide: the print area in dots for the paper's columns (32 → 384, 48 → 576). */
export const dotsForColumns = (columns: number): number => columns * 12;

/**
 * CODE128 data as Epson's GS k 73 takes it (`{A`/`{B`/`{C` selects a code set; `{{` is `{`;
 * `{S` shift and `{1`–`{4` FNC take a symbol each; in set C each byte 0–99 is two digits), read
 * independently of the encoder: the printed text and the symbol's width in modules (start, data,
 * check: 11 modules each; stop: 13).
 */
export function parseCode128(data: readonly number[]): { text: string; modules: number } | null {
  if (data.length < 2 || data[0] !== 0x7b || ![0x41, 0x42, 0x43].includes(data[1]!)) return null;
  let set = data[1]!;
  let symbols = 0;
  let text = '';
  for (let k = 2; k < data.length; k++) {
    const c = data[k]!;
    if (c === 0x7b) {
      const n = data[++k];
      if (n === undefined) return null;
      symbols++;
      if (n === 0x7b && set !== 0x43) text += '{';
      else if (n === 0x41 || n === 0x42 || n === 0x43) set = n;
      else if (![0x53, 0x31, 0x32, 0x33, 0x34].includes(n)) return null;
      continue;
    }
    if (set === 0x43) {
      if (c > 99) return null;
      text += String(c).padStart(2, '0');
    } else {
      if (c > 0x7f) return null;
      text += String.fromCharCode(c);
    }
    symbols++;
  }
  return { text, modules: 11 * (symbols + 2) + 13 };
}

type Align = 'left' | 'center' | 'right';
const ALIGNS: Align[] = ['left', 'center', 'right'];
const EC_LEVELS = { 48: 'L', 49: 'M', 50: 'Q', 51: 'H' } as const;

interface Style {
  bold: boolean;
  width: number;
  height: number;
}

export function decodeEscPos(data: Uint8Array, columns: number): PrintedReceipt {
  if (data.length > MAX_JOB_BYTES) throw DecodeErrors.tooLarge();
  const blocks: PrintedBlock[] = [];
  let align: Align = 'left';
  let lineAlign: Align | null = null;
  let chinese = false;
  const style: Style = { bold: false, width: 1, height: 1 };
  let runs: { style: Style; bytes: number[] }[] = [];
  let qr = { moduleSize: 3, ec: 'L' as 'L' | 'M' | 'Q' | 'H', data: null as number[] | null };
  let barcodeText = false;
  // GS w: module width in dots; 3 after ESC @ on Epson (and what a printer not told uses).
  let barcodeModule = 3;
  const area = dotsForColumns(columns);

  const decodeText = (bytes: number[]): string =>
    chinese ? iconv.decode(Buffer.from(bytes), 'gb18030') : String.fromCharCode(...bytes.map((b) => (b < 0x80 ? b : 0x3f)));
  // Text in Chinese mode is decoded per run at the end of the line, so a two-byte character
  // is never split; the mode is read when the run is flushed (it does not change mid-line here).
  const flushLine = () => {
    blocks.push({
      kind: 'text',
      align: lineAlign ?? align,
      runs: runs.map((r) => ({ text: decodeText(r.bytes), bold: r.style.bold, width: r.style.width, height: r.style.height })),
    });
    runs = [];
    lineAlign = null;
  };
  const addByte = (b: number) => {
    if (lineAlign === null) lineAlign = align;
    const last = runs[runs.length - 1];
    if (last && last.style.bold === style.bold && last.style.width === style.width && last.style.height === style.height) last.bytes.push(b);
    else runs.push({ style: { ...style }, bytes: [b] });
  };

  let i = 0;
  const need = (n: number) => {
    if (i + n > data.length) throw DecodeErrors.truncated(i);
  };
  while (i < data.length) {
    const b = data[i]!;
    const at = i;
    if (b === 0x0a) {
      flushLine();
      i++;
    } else if (b === 0x0d) {
      i++; // CR: the encoder's line ends; the printers ignore it after LF.
    } else if (b === 0x1b) {
      need(2);
      const c = data[i + 1]!;
      if (c === 0x40) {
        align = 'left';
        chinese = false;
        Object.assign(style, { bold: false, width: 1, height: 1 });
        barcodeModule = 3;
        i += 2;
      } else if (c === 0x45 || c === 0x4d || c === 0x74 || c === 0x61 || c === 0x64) {
        need(3);
        const n = data[i + 2]!;
        if (c === 0x45) style.bold = (n & 1) === 1;
        if (c === 0x61) {
          const a = ALIGNS[n > 2 ? n - 48 : n];
          if (!a) throw DecodeErrors.unknown(at, [...data.subarray(at, at + 3)]);
          align = a;
        }
        if (c === 0x64) for (let k = 0; k < n; k++) flushLine();
        i += 3;
      } else if (c === 0x70) {
        need(5);
        blocks.push({ kind: 'pulse', pin: data[i + 2]! & 1, onMs: data[i + 3]! * 2, offMs: data[i + 4]! * 2 });
        i += 5;
      } else throw DecodeErrors.unknown(at, [...data.subarray(at, at + 2)]);
    } else if (b === 0x1c) {
      need(2);
      const c = data[i + 1]!;
      if (c === 0x26) chinese = true;
      else if (c === 0x2e) chinese = false;
      else throw DecodeErrors.unknown(at, [...data.subarray(at, at + 2)]);
      i += 2;
    } else if (b === 0x10) {
      need(3);
      if (data[i + 1] !== 0x04) throw DecodeErrors.unknown(at, [...data.subarray(at, at + 3)]);
      i += 3; // DLE EOT: a status query, answered by the transport, prints nothing.
    } else if (b === 0x1d) {
      need(2);
      const c = data[i + 1]!;
      if (c === 0x21) {
        need(3);
        const n = data[i + 2]!;
        style.width = ((n >> 4) & 7) + 1;
        style.height = (n & 7) + 1;
        i += 3;
      } else if (c === 0x68) {
        need(3);
        i += 3; // barcode height: layout only
      } else if (c === 0x77) {
        need(3);
        const n = data[i + 2]!;
        // Epson takes 2–6; many Chinese-market printers also 1. Anything else is not a width.
        if (n < 1 || n > 6) throw DecodeErrors.unknown(at, [...data.subarray(at, at + 3)]);
        barcodeModule = n;
        i += 3;
      } else if (c === 0x48) {
        need(3);
        barcodeText = data[i + 2]! !== 0;
        i += 3;
      } else if (c === 0x56) {
        need(3);
        const m = data[i + 2]!;
        if (lineAlign !== null) flushLine();
        blocks.push({ kind: 'cut', partial: m === 1 || m === 49 || m === 66 });
        i += m >= 65 ? 4 : 3;
      } else if (c === 0x6b) {
        need(3);
        const m = data[i + 2]!;
        let content: number[];
        if (m >= 65) {
          need(4);
          const n = data[i + 3]!;
          need(4 + n);
          content = [...data.subarray(i + 4, i + 4 + n)];
          i += 4 + n;
        } else {
          const end = data.indexOf(0, i + 3);
          if (end < 0) throw DecodeErrors.truncated(at);
          content = [...data.subarray(i + 3, end)];
          i = end + 1;
        }
        // The app sends CODE128 only: its width is computed, so any other symbology is refused
        // rather than shown with a width nobody checked.
        const parsed = m === 73 ? parseCode128(content) : null;
        if (!parsed) throw DecodeErrors.unknown(at, [...data.subarray(at, Math.min(i, at + 8))]);
        const dots = parsed.modules * barcodeModule;
        if (dots > area) throw DecodeErrors.tooWide('barcode', dots, area);
        blocks.push({ kind: 'barcode', align, symbology: 'code128', content: parsed.text, showText: barcodeText, dots });
      } else if (c === 0x28) {
        need(5);
        if (data[i + 2] !== 0x6b) throw DecodeErrors.unknown(at, [...data.subarray(at, at + 3)]);
        const len = data[i + 3]! + data[i + 4]! * 256;
        need(5 + len);
        const body = data.subarray(i + 5, i + 5 + len);
        if (body[0] !== 0x31 || len < 2) throw DecodeErrors.unknown(at, [...data.subarray(at, at + 7)]);
        const fn = body[1]!;
        if (fn === 0x43) qr.moduleSize = body[2]!;
        else if (fn === 0x45) {
          const ec = EC_LEVELS[body[2]! as keyof typeof EC_LEVELS];
          if (!ec) throw DecodeErrors.unknown(at, [...data.subarray(at, at + 8)]);
          qr.ec = ec;
        } else if (fn === 0x50) qr.data = [...body.subarray(3)];
        else if (fn === 0x51) {
          if (!qr.data) throw DecodeErrors.unknown(at, [...data.subarray(at, at + 8)]);
          // The printer puts the bytes as they are into the symbol: read as Latin-1, a byte a phone
          // would not see as the shop meant (non-ASCII) is refused rather than shown as text.
          if (qr.data.some((x) => x < 0x20 || x > 0x7e)) throw DecodeErrors.unknown(at, [...data.subarray(at, at + 8)]);
          const content = Buffer.from(qr.data).toString('latin1');
          const matrix = qrMatrix(content, qr.ec);
          const dots = matrix.length * qr.moduleSize;
          if (dots > area) throw DecodeErrors.tooWide('qr', dots, area);
          blocks.push({ kind: 'qr', align, content, moduleSize: qr.moduleSize, errorLevel: qr.ec, matrix, dots });
        } else if (fn !== 0x41) throw DecodeErrors.unknown(at, [...data.subarray(at, at + 7)]);
        i += 5 + len;
      } else throw DecodeErrors.unknown(at, [...data.subarray(at, at + 2)]);
    } else if (b < 0x20 || b === 0x7f) {
      throw DecodeErrors.unknown(at, [b]);
    } else {
      addByte(b);
      i++;
    }
  }
  if (runs.length) flushLine();
  qr = { moduleSize: 3, ec: 'L', data: null };
  return { columns, blocks };
}

/** The QR symbol for the data, as rows of '0'/'1': what the printer's QR engine draws. */
export function qrMatrix(content: string, ec: 'L' | 'M' | 'Q' | 'H'): string[] {
  const q = QRCode.create(content, { errorCorrectionLevel: ec });
  const n = q.modules.size;
  const rows: string[] = [];
  for (let y = 0; y < n; y++) {
    let r = '';
    for (let x = 0; x < n; x++) r += q.modules.get(y, x) ? '1' : '0';
    rows.push(r);
  }
  return rows;
}

/** All the text of a decoded receipt, one line per text block: for tests and screen readers. */
export function receiptText(r: PrintedReceipt): string[] {
  return r.blocks.filter((b) => b.kind === 'text').map((b) => b.runs.map((x) => x.text).join(''));
}
