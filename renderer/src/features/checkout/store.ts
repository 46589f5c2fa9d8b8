/**
 * One sale at the counter: the amount (typed or from quick items), the tender, the payment
 * the core is running, and its result. The core is the authority on every payment: this store
 * only starts calls and follows `payments:changed`; it never decides a payment's outcome.
 *
 * Invariant: while a payment is unfinished (`busy`), a scan is refused with a message and
 * starts nothing (the core refuses a second charge too).
 *
 * A reload or an app restart never forgets a payment: on every load the checkout asks the core
 * for this terminal's unfinished sale (`payments:open`) and resumes its screen (waiting, the
 * QR); the order it last showed unfinished is kept in sessionStorage, so an outcome that
 * arrived during the reload is still shown rather than an empty checkout.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Payment, PaymentState } from '../../../../core/api/payments';
import { errorText, listen, send, sendIfPresent } from '../../api/client';
import { onReconnected } from '../../api/transport';
import { usePrefsStore } from '../../stores/prefs';
import { useRequestAction } from '../../composables/request-id';
import { useTypedAmount } from '../../composables/typed-amount';
import { typeKey } from '../../utils/money';
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
  // One request id per intended payment (this amount, this tender, this code): a double Enter is
  // refused while the first call is on its way, and a retry after the connection dropped sends
  // the same id, so the core answers the first payment instead of taking a second.
  const action = useRequestAction();

  // The keypad's texts are kept exactly as typed and read by core/money.ts's parser: an amount,
  // or a refusal in words (shown on screen; no tender starts until the text is corrected).
  const typedAmount = useTypedAmount(buffer);
  const typedTendered = useTypedAmount(tenderedBuffer);
  const amountFen = computed(() =>
    cart.value.length ? cart.value.reduce((s, l) => s + l.item.priceFen * l.qty, 0) : typedAmount.fen.value ?? 0);
  /** Why the typed amount is not an amount ('' when it is, or nothing is typed). */
  const amountRefusal = computed(() => (cart.value.length ? '' : typedAmount.refusal.value));
  const tenderedFen = computed(() => typedTendered.fen.value ?? 0);
  const tenderedRefusal = computed(() => typedTendered.refusal.value);
  /** Display only: the core computes the change it records. */
  const changePreviewFen = computed(() => Math.max(0, tenderedFen.value - amountFen.value));
  const busy = computed(() => starting.value || (payment.value !== null && resultOf(payment.value) === null));
  const result = computed(() => (payment.value ? resultOf(payment.value) : null));

  function say(msg: string) {
    notice.value = msg;
  }
  const err = (e: unknown) => say(errorText(e, prefs.locale));

  /** Any character typed at the keypad goes into the text as typed; never dropped. */
  function key(k: string) {
    if (phase.value === 'tender' && tender.value === 'cash') tenderedBuffer.value = typeKey(tenderedBuffer.value, k);
    else if (phase.value === 'entry' && !cart.value.length) buffer.value = typeKey(buffer.value, k);
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
    if (amountRefusal.value) return say(amountRefusal.value);
    if (amountFen.value <= 0) return say(messages.enterAmount);
    notice.value = '';
    tender.value = t;
    phase.value = 'tender';
    tenderedBuffer.value = '';
    if (t === 'qr') {
      const input = { amountFen: amountFen.value };
      void start(input, (requestId) => send('payments:precreate', { ...input, requestId }));
    }
    // Elder mode speaks its prompts as well as showing them.
    else if (prefs.elder && (t === 'scan' || t === 'offline')) void voice.say(clipsFor('showcode'));
  }

  async function start(params: object, call: (requestId: string) => Promise<Payment>) {
    if (busy.value) return;
    starting.value = true;
    notice.value = '';
    try {
      const p = await action.run({ tender: tender.value, ...params }, call);
      if (!p) return;
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
  /** Puts back what a keyboard scan's first keys typed into the entry buffers. */
  function undoScanKeys() {
    if (!beforeScan) return;
    buffer.value = beforeScan.buffer;
    tenderedBuffer.value = beforeScan.tendered;
    beforeScan = null;
  }
  function scanned(c: string, viaKeys: boolean, messages: { busy: string; enterAmount: string; afterResult?: string }) {
    // Only a keyboard scan's first keys touched the buffers; a HID scan changed nothing.
    if (viaKeys) undoScanKeys();
    code(c, messages);
  }
  /**
   * A scan refused before it reached the core (composables/scanner.ts): it changes nothing — its
   * first keys are taken back out of the amount — and `why` (not a payment code, and why) is said.
   */
  function scanRefused(why: string, viaKeys: boolean) {
    if (viaKeys) undoScanKeys();
    say(why);
  }

  /** A scanned (or typed) payment code. */
  function code(c: string, messages: { busy: string; enterAmount: string; afterResult?: string }) {
    if (busy.value) return say(messages.busy);
    // A result stays until the cashier moves on (Enter): a second scan never replaces it, and
    // is said not to have been charged.
    if (phase.value === 'result') return say(messages.afterResult ?? messages.busy);
    if (amountRefusal.value) return say(amountRefusal.value);
    if (amountFen.value <= 0) return say(messages.enterAmount);
    const offline = tender.value === 'offline' || /^OC1/.test(c);
    tender.value = offline ? 'offline' : 'scan';
    const amount = amountFen.value;
    if (offline) {
      const input = { amountFen: amount, code: c, purpose: 'sale' as const, ...(contact.value.trim() ? { contact: contact.value.trim() } : {}) };
      void start(input, () => sendIfPresent<Payment>('offline:accept', input));
    } else {
      const input = { amountFen: amount, code: c };
      void start(input, (requestId) => send('payments:charge', { ...input, requestId }));
    }
  }

  function payCash(messages: { notEnough: string }) {
    if (tenderedRefusal.value) return say(tenderedRefusal.value);
    if (tenderedFen.value < amountFen.value) return say(messages.notEnough);
    const input = { amountFen: amountFen.value, tenderedFen: tenderedFen.value };
    void start(input, (requestId) => send('payments:cash', { ...input, requestId }));
  }
  function payCredit(messages: { nameNeeded: string }) {
    if (!creditName.value.trim()) return say(messages.nameNeeded);
    const input = { amountFen: amountFen.value, customerName: creditName.value.trim() };
    void start(input, (requestId) => send('payments:credit', { ...input, requestId }));
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

  /** The unfinished order this window shows, kept across a reload of the page. */
  const SHOWN_KEY = 'vc.checkout.unfinished';
  function remember(p: Payment | null) {
    try {
      if (p && !resultOf(p)) sessionStorage.setItem(SHOWN_KEY, p.orderNo);
      else sessionStorage.removeItem(SHOWN_KEY);
    } catch {
      // No storage (tests, a locked-down profile): payments:open alone resumes the payment.
    }
  }
  function shownBefore(): string | null {
    try {
      return sessionStorage.getItem(SHOWN_KEY);
    } catch {
      return null;
    }
  }
  function show(p: Payment) {
    payment.value = p;
    tender.value = p.qr ? 'qr' : 'scan';
    phase.value = resultOf(p) ? 'result' : 'working';
    announce();
  }

  /**
   * On load (and after the connection comes back): the core's unfinished sale of this terminal,
   * or the outcome of the one this window was showing when it was reloaded.
   */
  async function resume() {
    if (starting.value) return;
    try {
      const open = await send('payments:open', {});
      if (open) {
        if (!payment.value || payment.value.orderNo === open.orderNo || !busy.value) show(open);
        return;
      }
      const mine = payment.value && !resultOf(payment.value) ? payment.value.orderNo : shownBefore();
      if (mine) show((await send('payments:get', { orderNo: mine })).payment);
    } catch {
      // Not logged in yet, or the core is unreachable: the next load or reconnect asks again.
    }
  }

  let announced = '';
  function announce() {
    const p = payment.value;
    remember(p);
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
    remember(null);
    action.reset();
  }

  let stop: (() => void) | null = null;
  function follow() {
    if (!stop) onReconnected(() => void resume());
    void resume();
    stop ??= listen('payments:changed', (p) => {
      if (payment.value && p.orderNo === payment.value.orderNo) {
        payment.value = p;
        if (resultOf(p)) phase.value = 'result';
        announce();
      }
    });
  }

  return {
    phase, tender, buffer, cart, tenderedBuffer, creditName, contact, payment, notice, amountFen, tenderedFen, amountRefusal, tenderedRefusal,
    changePreviewFen, busy, result, voice,
    key, backspace, addItem, removeLine, chooseTender, code, scanned, scanRefused, maybeScanStart, payCash, payCredit, cancel, query, back, newSale, follow, resume, say,
  };
});
