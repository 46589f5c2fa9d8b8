/**
 * One sale at the counter: the amount (typed or from quick items), the tender, the payment
 * the core is running, and its result. The core is the authority on every payment: this store
 * only starts calls and follows `payments:changed`; it never decides a payment's outcome.
 *
 * Invariant: while a payment is unfinished (`busy`), a scan is refused with a message and
 * starts nothing (the core refuses a second charge too).
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Payment, PaymentState } from '../../../../core/api/payments';
import { errorText, listen, send, sendIfPresent } from '../../api/client';
import { usePrefsStore } from '../../stores/prefs';
import { amountKey, bufferToFen } from '../../utils/money';
import { clipsFor, VoicePlayer } from './voice';

export type TenderKey = 'scan' | 'offline' | 'qr' | 'face' | 'cash' | 'credit';
export type Phase = 'entry' | 'tender' | 'working' | 'result';
export type ResultKind = 'paid' | 'offline' | 'failed';

export interface QuickItem { id: string; zh: string; en: string; priceFen: number }
export interface CartLine { item: QuickItem; qty: number }

/** The shop's quick-item buttons (demo shop). A shop edits these in settings once items land in the core. */
export const QUICK_ITEMS: QuickItem[] = [
  { id: 'water', zh: '矿泉水', en: 'Water', priceFen: 200 },
  { id: 'noodles', zh: '方便面', en: 'Instant noodles', priceFen: 450 },
  { id: 'soy', zh: '酱油', en: 'Soy sauce', priceFen: 850 },
  { id: 'eggs', zh: '鸡蛋一斤', en: 'Eggs, 500 g', priceFen: 600 },
  { id: 'rice', zh: '大米五斤', en: 'Rice, 2.5 kg', priceFen: 1800 },
  { id: 'salt', zh: '食盐', en: 'Salt', priceFen: 250 },
];

const IN_PROGRESS: readonly PaymentState[] = ['created', 'paying', 'userpaying', 'unknown', 'cancelling', 'awaiting_scan'];

export function resultOf(p: Payment): ResultKind | null {
  if (p.state === 'succeeded') return 'paid';
  if (p.state === 'accepted_offline') return 'offline';
  if (IN_PROGRESS.includes(p.state)) return null;
  return 'failed';
}

export const useCheckoutStore = defineStore('checkout', () => {
  const prefs = usePrefsStore();
  const voice = new VoicePlayer(() => ({ enabled: prefs.voice, volume: prefs.volume }));

  const phase = ref<Phase>('entry');
  const tender = ref<TenderKey | null>(null);
  const buffer = ref('');
  const cart = ref<CartLine[]>([]);
  const tenderedBuffer = ref('');
  const creditName = ref('');
  const contact = ref('');
  const payment = ref<Payment | null>(null);
  /** A plain-words message for the cashier (refusal, error), shown in an alert. */
  const notice = ref('');
  const starting = ref(false);

  const amountFen = computed(() =>
    cart.value.length ? cart.value.reduce((s, l) => s + l.item.priceFen * l.qty, 0) : bufferToFen(buffer.value));
  const tenderedFen = computed(() => bufferToFen(tenderedBuffer.value));
  /** Display only: the core computes the change it records. */
  const changePreviewFen = computed(() => Math.max(0, tenderedFen.value - amountFen.value));
  const busy = computed(() => starting.value || (payment.value !== null && resultOf(payment.value) === null));
  const result = computed(() => (payment.value ? resultOf(payment.value) : null));

  function say(msg: string) {
    notice.value = msg;
  }
  const err = (e: unknown) => say(errorText(e, prefs.locale));

  function key(k: string) {
    if (phase.value === 'tender' && tender.value === 'cash') tenderedBuffer.value = amountKey(tenderedBuffer.value, k);
    else if (phase.value === 'entry' && !cart.value.length) buffer.value = amountKey(buffer.value, k);
    notice.value = '';
  }
  function backspace() {
    if (phase.value === 'tender' && tender.value === 'cash') tenderedBuffer.value = tenderedBuffer.value.slice(0, -1);
    else if (phase.value === 'entry') buffer.value = buffer.value.slice(0, -1);
  }
  function addItem(item: QuickItem) {
    if (phase.value !== 'entry') return;
    buffer.value = '';
    const line = cart.value.find((l) => l.item.id === item.id);
    if (line) line.qty++;
    else cart.value.push({ item, qty: 1 });
  }
  function removeLine(id: string) {
    cart.value = cart.value.filter((l) => l.item.id !== id);
  }

  function chooseTender(t: TenderKey, messages: { enterAmount: string }) {
    if (busy.value || phase.value === 'result') return;
    if (amountFen.value <= 0) return say(messages.enterAmount);
    notice.value = '';
    tender.value = t;
    phase.value = 'tender';
    tenderedBuffer.value = '';
    if (t === 'qr') void start(() => send('payments:precreate', { amountFen: amountFen.value }));
    // Elder mode speaks its prompts as well as showing them.
    else if (prefs.elder && (t === 'scan' || t === 'offline')) void voice.say(clipsFor('showcode'));
  }

  async function start(call: () => Promise<Payment>) {
    if (busy.value) return;
    starting.value = true;
    notice.value = '';
    try {
      const p = await call();
      payment.value = p;
      phase.value = resultOf(p) ? 'result' : 'working';
      announce();
    } catch (e) {
      err(e);
    } finally {
      starting.value = false;
    }
  }

  /**
   * The key that may open a scan reaches the numpad before the scan is recognised; snapshot the
   * entry buffers so a scan never changes the amount being charged.
   */
  let beforeScan: { buffer: string; tendered: string } | null = null;
  function maybeScanStart() {
    beforeScan = { buffer: buffer.value, tendered: tenderedBuffer.value };
  }
  function scanned(c: string, viaKeys: boolean, messages: { busy: string; enterAmount: string }) {
    // Only a keyboard scan's first keys touched the buffers; a HID scan changed nothing.
    if (viaKeys && beforeScan) {
      buffer.value = beforeScan.buffer;
      tenderedBuffer.value = beforeScan.tendered;
      beforeScan = null;
    }
    code(c, messages);
  }

  /** A scanned (or typed) payment code. */
  function code(c: string, messages: { busy: string; enterAmount: string }) {
    if (busy.value) return say(messages.busy);
    if (phase.value === 'result') newSale();
    if (amountFen.value <= 0) return say(messages.enterAmount);
    const offline = tender.value === 'offline' || /^OC1/.test(c);
    tender.value = offline ? 'offline' : 'scan';
    const amount = amountFen.value;
    if (offline) {
      const input = { amountFen: amount, code: c, purpose: 'sale' as const, ...(contact.value.trim() ? { contact: contact.value.trim() } : {}) };
      void start(() => sendIfPresent<Payment>('offline:accept', input));
    } else {
      void start(() => send('payments:charge', { amountFen: amount, code: c }));
    }
  }

  function payCash(messages: { notEnough: string }) {
    if (tenderedFen.value < amountFen.value) return say(messages.notEnough);
    void start(() => send('payments:cash', { amountFen: amountFen.value, tenderedFen: tenderedFen.value }));
  }
  function payCredit(messages: { nameNeeded: string }) {
    if (!creditName.value.trim()) return say(messages.nameNeeded);
    void start(() => send('payments:credit', { amountFen: amountFen.value, customerName: creditName.value.trim() }));
  }
  async function cancel() {
    if (!payment.value || !busy.value) return;
    try {
      payment.value = await send('payments:cancel', { orderNo: payment.value.orderNo });
      if (resultOf(payment.value)) phase.value = 'result';
    } catch (e) {
      err(e);
    }
  }
  async function query() {
    if (!payment.value) return;
    try {
      payment.value = await send('payments:query', { orderNo: payment.value.orderNo });
      if (resultOf(payment.value)) phase.value = 'result';
      announce();
    } catch (e) {
      err(e);
    }
  }

  let announced = '';
  function announce() {
    const p = payment.value;
    if (!p) return;
    const r = resultOf(p);
    const k = `${p.orderNo}:${r ?? p.state}`;
    if (k === announced) return;
    announced = k;
    if (r === 'paid') void voice.say(clipsFor('paid', p.amountFen));
    else if (r === 'offline') void voice.say(clipsFor('offline', p.amountFen));
    else if (r === 'failed') void voice.say(clipsFor('failed'));
    else if (p.state === 'userpaying') void voice.say(clipsFor('userpaying'));
  }

  /** Back from a tender to the amount (Esc), when nothing is running. */
  function back() {
    if (busy.value) return;
    if (phase.value === 'tender') {
      phase.value = 'entry';
      tender.value = null;
    } else if (phase.value === 'entry') {
      buffer.value = '';
      cart.value = [];
    }
    notice.value = '';
  }

  function newSale() {
    voice.stop();
    phase.value = 'entry';
    tender.value = null;
    buffer.value = '';
    cart.value = [];
    tenderedBuffer.value = '';
    creditName.value = '';
    contact.value = '';
    payment.value = null;
    notice.value = '';
  }

  let stop: (() => void) | null = null;
  function follow() {
    stop ??= listen('payments:changed', (p) => {
      if (payment.value && p.orderNo === payment.value.orderNo) {
        payment.value = p;
        if (resultOf(p)) phase.value = 'result';
        announce();
      }
    });
  }

  return {
    phase, tender, buffer, cart, tenderedBuffer, creditName, contact, payment, notice, amountFen, tenderedFen,
    changePreviewFen, busy, result, voice,
    key, backspace, addItem, removeLine, chooseTender, code, scanned, maybeScanStart, payCash, payCredit, cancel, query, back, newSale, follow, say,
  };
});
