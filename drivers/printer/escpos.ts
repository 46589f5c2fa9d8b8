/**
 * ESC/POS bytes for a receipt, a test page, a drawer pulse and a status query: pure, bytes out.
 *
 * Why not all through the encoder library: `@point-of-sale/receipt-printer-encoder` 4.x turns
 * Chinese given to `text()` into `???` without a word, and counts every character as one column.
 * So the library builds what it does well (initialise, QR, barcode, cut, drawer pulse) and all
 * text goes in as raw GB18030 bytes (iconv-lite) inside the printer's Chinese mode (`FS &` …
 * `FS .`), laid out here with CJK characters counted double width.
 *
 * Invariants: every text byte sequence is preceded by Chinese mode on; nothing but validated
 * receipt text reaches the printer (parseReceipt refuses control characters); a line never
 * exceeds the paper's columns (58 mm: 32, 80 mm: 48 — font A, 12×24 dots on 384/576 dots).
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import iconv from 'iconv-lite';
import type { Tender } from '../../core/api/payments';
import type { PaperWidth, Receipt, ServiceBlock } from './receipt';

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const LF = 0x0a;

export const CHINESE_ON = [FS, 0x26] as const;
export const CHINESE_OFF = [FS, 0x2e] as const;
/** DLE EOT n: real-time status. n=1 printer, 2 offline cause, 4 paper roll sensor. */
export const statusQuery = (n: 1 | 2 | 4): Uint8Array => Uint8Array.of(DLE, 0x04, n);

export function columnsFor(paper: PaperWidth): number {
  return paper === 58 ? 32 : 48;
}
/** Printable dots across: 48 mm of 58 mm paper, 72 mm of 80 mm paper, at 8 dots/mm. */
export function dotsFor(paper: PaperWidth): number {
  return paper === 58 ? 384 : 576;
}

const FULLWIDTH_QUESTION = '\uff1f';

/**
 * Characters GB18030 encodes in four bytes (emoji, rare scripts) are missing from the printers'
 * built-in GBK fonts and would print as two garbage glyphs; they are shown as a visible ？.
 */
function printable(ch: string): string {
  return iconv.encode(ch, 'gb18030').length === 4 ? FULLWIDTH_QUESTION : ch;
}

/** Columns a character takes in Chinese mode: one byte → one column, two bytes → two. */
export function charWidth(ch: string): number {
  return iconv.encode(printable(ch), 'gb18030').length >= 2 ? 2 : 1;
}
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/** Splits text into lines of at most `cols` columns, never halving a double-width character. */
export function wrap(s: string, cols: number): string[] {
  const out: string[] = [];
  let line = '';
  let w = 0;
  for (const ch0 of s) {
    const ch = printable(ch0);
    const cw = charWidth(ch);
    if (w + cw > cols) {
      out.push(line);
      line = '';
      w = 0;
    }
    line += ch;
    w += cw;
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

/** `left ……… right` on one line; if both do not fit, left wraps above and right stands alone. */
export function twoColumns(left: string, right: string, cols: number): string[] {
  const lw = textWidth(left);
  const rw = textWidth(right);
  if (lw + 1 + rw <= cols) return [left + ' '.repeat(cols - lw - rw) + right];
  return [...wrap(left, cols), ' '.repeat(Math.max(0, cols - rw)) + right];
}

/** 1234 fen → "12.34" (integer arithmetic only). */
export function yuan(fen: number): string {
  const neg = fen < 0;
  const a = Math.abs(fen);
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** China Standard Time has had no daylight saving since 1991: a fixed +8 h offset is exact. */
export function chinaTime(epochMs: number): string {
  const d = new Date(epochMs + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export const TENDER_LABEL: Record<Tender, string> = {
  wechat: '微信支付',
  alipay: '支付宝',
  unionpay: '银联云闪付',
  face: '刷脸支付',
  merchant_qr: '扫码支付',
  offline_code: '离线码支付',
  cash: '现金',
  credit: '赊账',
};

type Align = 'left' | 'center' | 'right';
const ALIGN: Record<Align, number> = { left: 0, center: 1, right: 2 };

/**
 * A thin layer over the encoder: text in GB18030, styles as plain ESC/POS commands, so the
 * bytes are exactly what the golden tests say and what the simulated printer decodes.
 */
class Doc {
  readonly enc: ReceiptPrinterEncoder;
  constructor(readonly cols: number) {
    this.enc = new ReceiptPrinterEncoder({ language: 'esc-pos', columns: cols, newline: '\n' });
  }
  raw(bytes: readonly number[] | Uint8Array): this {
    this.enc.raw(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
    return this;
  }
  align(a: Align): this {
    return this.raw([ESC, 0x61, ALIGN[a]]);
  }
  bold(on: boolean): this {
    return this.raw([ESC, 0x45, on ? 1 : 0]);
  }
  /** GS ! n: width and height multipliers (1–8). */
  size(w: number, h: number): this {
    return this.raw([GS, 0x21, ((w - 1) << 4) | (h - 1)]);
  }
  /** One line of text (caller guarantees it fits), then LF. */
  line(s: string): this {
    let t = '';
    for (const ch of s) t += printable(ch);
    return this.raw(iconv.encode(t, 'gb18030')).raw([LF]);
  }
  lines(ls: string[]): this {
    for (const l of ls) this.line(l);
    return this;
  }
  rule(): this {
    return this.line('-'.repeat(this.cols));
  }
  /**
   * A QR of printable ASCII only: the library writes QR data as ISO-8859-1, turning anything else
   * into `?` without a word (parseReceipt turns addresses into plain URIs first).
   */
  qr(data: string, size: number): this {
    if (!/^[\x20-\x7e]+$/.test(data)) throw new Error('QR data must be plain ASCII (a plain URI)');
    this.enc.qrcode(data, { model: 2, size, errorlevel: 'm' });
    return this;
  }
  encode(): Uint8Array {
    return this.enc.encode();
  }
}

/** QR module size (dots) per paper: about 25 mm wide for a version-4 code, easy for any phone. */
const QR_SIZE: Record<PaperWidth, number> = { 58: 5, 80: 6 };

/** Epson's GS w takes 2–6 dots; 1 dot (0.125 mm) is too fine for many scanners. */
const BARCODE_MODULES = [3, 2] as const;
const QUIET_MODULES = 10;
const BRACE = 0x7b;

/**
 * The order number as GS k 73 (CODE128) data: runs of four or more digits in code set C (two
 * digits a symbol, sent as one byte 0–99, Epson's format), the rest in set B; `symbols` counts
 * start, data, set changes and check (11 modules each; the stop adds 13).
 *
 * Written here, not through the encoder library: its `barcode()` sends GS w n+1 for a width n
 * and only set B, so the symbol came out wider than asked and never fitted a 58 mm head.
 */
export function code128(content: string): { data: number[]; symbols: number } {
  const data: number[] = [];
  let set: 'B' | 'C' | null = null;
  let symbols = 2; // start + check
  let k = 0;
  const use = (s: 'B' | 'C') => {
    if (set === s) return;
    if (set !== null) symbols++;
    data.push(BRACE, s.charCodeAt(0));
    set = s;
  };
  while (k < content.length) {
    const digits = /^\d*/.exec(content.slice(k))![0].length;
    const even = digits - (digits % 2);
    if (even >= 4) {
      use('C');
      for (let e = k + even; k < e; k += 2) {
        data.push(Number(content.slice(k, k + 2)));
        symbols++;
      }
      continue;
    }
    use('B');
    const c = content.charCodeAt(k++);
    if (c === BRACE) data.push(BRACE); // `{{` is a literal brace in Epson's format
    data.push(c);
    symbols++;
  }
  return { data, symbols };
}

/** The widest module (dots) at which the CODE128 symbol and its quiet zones fit, or null: no barcode. */
export function barcodeModuleWidth(content: string, paper: PaperWidth): number | null {
  const modules = 11 * code128(content).symbols + 13 + 2 * QUIET_MODULES;
  for (const w of BARCODE_MODULES) if (modules * w <= dotsFor(paper)) return w;
  return null;
}

/** GS h, GS w, GS H (text below), GS k 73: the module width sent is the one chosen. */
function barcode(d: Doc, content: string, height: number, width: number): void {
  const { data } = code128(content);
  d.raw([GS, 0x68, height, GS, 0x77, width, GS, 0x48, 2, GS, 0x6b, 73, data.length, ...data]);
}

function trainingMark(d: Doc): void {
  d.align('center').bold(true).size(2, 1).line('培训 TRAINING').size(1, 1).bold(false).line('本单为培训，不涉及真实资金').align('left');
}

/** Printed double size and bold, so an elderly customer cannot take it for a confirmed payment. */
export const PROVISIONAL_MARK = ['待缴费机构确认', 'pending biller confirmation'] as const;

/** A service-point receipt's title and fields: what was paid (or given back), to whom, for which account. */
function serviceBlock(d: Doc, s: ServiceBlock, cols: number): void {
  const title = s.kind === 'bill' ? ['缴费回单', 'BILL PAYMENT'] : ['退还现金回单', 'CASH RETURNED'];
  d.align('center').bold(true).size(2, 1).lines(wrap(title[0]!, cols / 2)).size(1, 1).line(title[1]!).bold(false).align('left');
  d.lines(twoColumns('缴费单位 Biller', s.biller, cols));
  d.lines(twoColumns('户号 Account', s.maskedAccount, cols));
  if (s.kind === 'bill') {
    if (s.reference) d.lines(twoColumns('凭证号 Ref.', s.reference, cols));
    if (s.provisional) {
      d.align('center').bold(true).size(2, 2).lines(wrap(PROVISIONAL_MARK[0], cols / 2)).size(1, 1)
        .lines(wrap(PROVISIONAL_MARK[1], cols)).bold(false).align('left');
    }
  } else if (s.refusal.length) {
    d.line('缴费单位拒绝原因 Refused:');
    for (const l of s.refusal) d.lines(wrap(l, cols));
  }
  d.rule();
}

/** The receipt as ESC/POS bytes. `receipt` must come from parseReceipt. */
export function encodeReceipt(r: Receipt): Uint8Array {
  const cols = columnsFor(r.paperWidth);
  const d = new Doc(cols);
  d.enc.initialize();
  d.raw(CHINESE_ON);
  if (r.training) trainingMark(d);
  // Before the shop name, so a copy is recognised at a glance and never taken for a second sale.
  if (r.reprint) d.align('center').bold(true).size(2, 1).line('重打 REPRINT').size(1, 1).bold(false).align('left');

  // Shop name at double size: half the columns.
  d.align('center').bold(true).size(2, 2).lines(wrap(r.header[0]!, cols / 2)).size(1, 1).bold(false);
  for (const h of r.header.slice(1)) d.lines(wrap(h, cols));
  d.align('left').rule();

  d.lines(wrap(`单号：${r.orderNo}`, cols));
  d.lines(wrap(`时间：${chinaTime(r.printedAt)}`, cols));
  if (r.operator || r.terminalId) {
    // At the service point the person is the agent, not a cashier.
    d.lines(wrap([r.operator ? `${r.service ? '经办人' : '收银员'}：${r.operator}` : '', r.terminalId ? `终端：${r.terminalId}` : ''].filter(Boolean).join('  '), cols));
  }
  d.rule();
  if (r.service) serviceBlock(d, r.service, cols);

  for (const it of r.items) {
    d.lines(wrap(it.name, cols));
    d.lines(twoColumns(`  ${it.qty} × ${yuan(it.unitFen)}`, yuan(it.totalFen), cols));
  }
  if (r.items.length) d.rule();

  if (r.totals.discountFen > 0) {
    d.lines(twoColumns('小计', yuan(r.totals.subtotalFen), cols));
    d.lines(twoColumns('优惠', `-${yuan(r.totals.discountFen)}`, cols));
  }
  d.bold(true).lines(twoColumns('合计', `￥${yuan(r.totals.totalFen)}`, cols)).bold(false);
  // Cash handed back must not read like cash taken in.
  d.lines(twoColumns(r.service?.kind === 'bill_return' ? '退还现金' : TENDER_LABEL[r.tender.kind], yuan(r.tender.paidFen), cols));
  if (r.tender.changeFen !== undefined) d.lines(twoColumns('找零', yuan(r.tender.changeFen), cols));
  if (r.maskedCode) d.lines(twoColumns('付款码', r.maskedCode, cols));
  if (r.notice.length) {
    d.align('center').bold(true);
    for (const n of r.notice) d.lines(wrap(n, cols));
    d.bold(false).align('left');
  }
  if (r.signatureLine) {
    // Room to sign by hand: two blank lines above the rule the customer signs on.
    d.line('客户签名 Signature:').line('').line('').line('_'.repeat(cols));
  }
  d.rule();

  const bw = barcodeModuleWidth(r.orderNo, r.paperWidth);
  if (bw !== null) {
    d.align('center');
    barcode(d, r.orderNo, 60, bw);
  }
  if (r.eReceiptUrl) {
    d.align('center');
    d.qr(r.eReceiptUrl, QR_SIZE[r.paperWidth]);
    d.line('扫码查看电子小票');
  }
  d.align('center');
  for (const f of r.footer) d.lines(wrap(f, cols));
  if (r.training) trainingMark(d);
  d.align('left').raw(CHINESE_OFF);
  // Feed the last line past the cutter (about 4 lines between print head and blade).
  d.raw([LF, LF, LF, LF]);
  d.enc.cut('partial');
  return d.encode();
}

/** A test page: Chinese in every width, a QR and a barcode, so one sheet proves the setup. */
export function encodeTestPage(paper: PaperWidth, deviceName: string, at: number): Uint8Array {
  const cols = columnsFor(paper);
  const d = new Doc(cols);
  d.enc.initialize();
  d.raw(CHINESE_ON);
  d.align('center').bold(true).size(2, 2).line('打印测试').size(1, 1).bold(false).line('PRINTER TEST').align('left');
  d.rule();
  d.lines(wrap(`设备：${deviceName.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')}`, cols));
  d.lines(wrap(`纸宽：${paper} mm，每行 ${cols} 列`, cols));
  d.lines(wrap(`时间：${chinaTime(at)}`, cols));
  d.line('1234567890'.repeat(Math.ceil(cols / 10)).slice(0, cols));
  d.line('中文宽度'.repeat(cols / 8));
  d.lines(twoColumns('左对齐', '右对齐', cols));
  d.rule();
  d.align('center');
  barcode(d, 'TEST1234', 50, 2);
  d.qr('https://example.cn/test', QR_SIZE[paper]);
  d.lines(wrap('扫码应显示 https://example.cn/test', cols));
  d.align('left').raw(CHINESE_OFF).raw([LF, LF, LF, LF]);
  d.enc.cut('partial');
  return d.encode();
}

/** ESC p m t1 t2: a 100 ms pulse on kick pin 2 (m=0), then 500 ms off — the common drawer spec. */
export function encodeDrawerPulse(): Uint8Array {
  return new ReceiptPrinterEncoder({ language: 'esc-pos' }).pulse(0, 100, 500).encode();
}
