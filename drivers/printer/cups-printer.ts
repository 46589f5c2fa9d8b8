/**
 * A receipt printer through a CUPS queue on Linux (UOS, Kylin, Debian), raw: the app's ESC/POS
 * bytes go to the queue unchanged (`lp -o raw`) and the queue's backend (usb, serial, socket …)
 * takes them to the printer. For a shop whose printer is already set up as a queue (the maker's
 * installer does that), or that shares one printer between programs.
 *
 * Through the command-line tools, not IPP from an npm library: `lp`, `lpstat` and `cancel` come
 * with every CUPS install (cups-client), speak to whatever server the PC uses (its socket, a
 * remote one from client.conf), and handle its authentication; the IPP packages on npm are thin
 * and unmaintained (drivers/README.md, dependency notes).
 *
 * What a queue can and cannot tell:
 * - the queue's state (missing, stopped with its reason) before a job: checked, refused plainly;
 * - a job's state in the queue (pending, processing, completed, canceled, aborted): "completed"
 *   means the backend handed every byte to the printer, not that it is on paper. A queue job is
 *   therefore never `printed`: it is `unconfirmed`, "sent to the queue", with the queue's state;
 * - the printer's paper, cover and errors: never (status null, said plainly on the card).
 * A job the app gives up on (the manager clears a failed job) is cancelled in the queue, so it
 * does not come out later beside its reprint.
 */
import { AppError } from '../../core/api/errors';
import type { Message } from '../../core/api/payments';
import { encodeDrawerPulse } from './escpos';
import { runCommand, type CommandResult, type RunCommand } from './os-command';
import type { Confirmation, PrinterPort } from './port';

/** Queue names the app accepts: CUPS's own rule is wider, this keeps ids and command lines plain. */
const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,127}$/;
const JOB_ID = /^[A-Za-z0-9_.-]{1,127}-\d{1,9}$/;

export function parseQueueName(s: string): string | null {
  return QUEUE_NAME.test(s) && !/^[.-]/.test(s) ? s : null;
}

export type QueueJobState = 'pending' | 'held' | 'processing' | 'completed' | 'canceled' | 'aborted';

const STATE_TEXT: Record<QueueJobState, Message> = {
  pending: { zh: '排队等待', en: 'waiting in the queue' },
  held: { zh: '被挂起', en: 'held' },
  processing: { zh: '正在发送给打印机', en: 'being sent to the printer' },
  completed: { zh: '已全部交给打印机', en: 'handed to the printer in full' },
  canceled: { zh: '已取消', en: 'canceled' },
  aborted: { zh: '被系统中止', en: 'aborted by the system' },
};

export const QueueErrors = {
  badName: () =>
    new AppError('printer.bad_queue', '打印队列名只能含字母、数字、点、下划线和减号（最多 127 个）。请在系统打印机设置里查看队列名。',
      'A print queue name may only contain letters, digits, dots, underscores and hyphens (at most 127). See the queue\'s name in the system\'s printer settings.'),
  missing: (q: string) =>
    new AppError('printer.queue_missing', `系统里没有打印队列“${q}”。请在系统打印机设置里添加它，或在“设备”中另选打印机。`,
      `There is no print queue "${q}" on this computer. Add it in the system's printer settings, or choose another printer under Devices.`),
  noServer: () =>
    new AppError('printer.queue_unavailable', '无法连接系统打印服务（CUPS）。请确认已安装并启动 CUPS（sudo systemctl start cups）。',
      'The system print service (CUPS) cannot be reached. Make sure CUPS is installed and running (sudo systemctl start cups).'),
  stopped: (q: string, why: string) =>
    new AppError('printer.queue_stopped', `打印队列“${q}”已停用${why ? `（${why}）` : ''}。请在系统打印机设置里恢复它，再重打。`,
      `The print queue "${q}" is stopped${why ? ` (${why})` : ''}. Resume it in the system's printer settings, then reprint.`),
  jobEnded: (job: string, state: 'canceled' | 'aborted') =>
    new AppError('printer.queue_job_ended', `打印队列中的任务 ${job} ${STATE_TEXT[state].zh}，小票可能没有打出。`,
      `The queue's job ${job} was ${STATE_TEXT[state].en}: the receipt may not have printed.`, { job, state }),
  badReply: (what: string) =>
    new AppError('printer.queue_bad_reply', '系统打印服务的回答无法识别，小票可能没有交给队列。', 'The system print service gave an answer the app cannot read: the receipt may not have reached the queue.', { what: what.slice(0, 200) }),
  failed: (what: string) =>
    new AppError('printer.queue_failed', '系统打印服务拒收了小票。', 'The system print service refused the receipt.', { what: what.slice(0, 200) }),
};

export interface CupsOptions {
  /** `host:port` of the CUPS server (`lp -h`); default: the PC's own. Tests run a private cupsd. */
  server?: string;
  run?: RunCommand;
  /** How long a job is followed in the queue after it is sent (polls × interval). */
  confirmPolls?: number;
  pollMs?: number;
}

export interface CupsQueueInfo {
  name: string;
  /** The queue's device URI (`usb://…`, `socket://…`, `serial:/dev/ttyS0…`), as CUPS lists it. */
  device: string | null;
}

/** The queues of the CUPS server (`lpstat -v`), names checked; empty when CUPS is not there. */
export async function listCupsQueues(o: Pick<CupsOptions, 'server' | 'run'> = {}): Promise<CupsQueueInfo[]> {
  const r = await (o.run ?? runCommand)('lpstat', [...serverArgs(o.server), '-v'], { timeoutMs: 5000 });
  if (r.code !== 0) return [];
  const out: CupsQueueInfo[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^device for ([^:\s]+): (.*)$/.exec(line.trim());
    const name = m && parseQueueName(m[1]!);
    if (name) out.push({ name, device: m![2]!.slice(0, 200) || null });
  }
  return out;
}

function serverArgs(server: string | undefined): string[] {
  return server ? ['-h', server] : [];
}

export class CupsPrinter implements PrinterPort {
  sent = 0;
  private lastJob: string | null = null;
  private lastState: QueueJobState | null = null;
  private lastStatus = '';
  private readonly run: RunCommand;
  private readonly o: Required<Pick<CupsOptions, 'confirmPolls' | 'pollMs'>> & CupsOptions;
  readonly unknownStatus: Message;

  constructor(readonly queue: string, opts: CupsOptions = {}) {
    if (!parseQueueName(queue)) throw QueueErrors.badName();
    this.o = { confirmPolls: 20, pollMs: 250, ...opts };
    this.run = opts.run ?? runCommand;
    this.unknownStatus = {
      zh: `经系统打印队列（CUPS 队列“${queue}”）打印：队列无法得知打印机是否缺纸、开盖，小票只能确认“已交给队列”，不能确认已打出。打印后请看一眼纸。`,
      en: `Printing through the system print queue (CUPS queue "${queue}"): the queue cannot see whether the printer is out of paper or open, and a receipt can only be confirmed as handed to the queue, not as printed. Check the paper after printing.`,
    };
  }

  /** The queue's state. Always null (the paper cannot be seen); throws when the queue is missing or stopped. */
  async status(): Promise<null> {
    const r = await this.cmd('lpstat', ['-p', this.queue]);
    if (r.code !== 0) throw this.failure(r);
    const [first = '', second = ''] = r.stdout.split('\n');
    if (!first.startsWith(`printer ${this.queue} `)) throw QueueErrors.badReply(first);
    if (/ disabled since /.test(first)) throw QueueErrors.stopped(this.queue, second.trim() === 'reason unknown' ? '' : second.trim().slice(0, 120));
    return null;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.sent = 0;
    this.lastJob = null;
    this.lastState = null;
    const r = await this.cmd('lp', ['-d', this.queue, '-o', 'raw', '-t', 'receipt'], bytes);
    if (r.code !== 0) throw this.failure(r);
    const job = /request id is (\S+)/.exec(r.stdout)?.[1];
    if (!job || !JOB_ID.test(job)) throw QueueErrors.badReply(r.stdout);
    this.lastJob = job;
    this.lastState = 'pending';
    this.sent = bytes.length; // in the queue: from here it may print, whatever else happens
  }

  /** Follows the job in the queue for a while: never `printed` (see the header); a job canceled or aborted there throws. */
  async confirm(): Promise<Confirmation> {
    const job = this.lastJob;
    if (!job) return 'unconfirmed';
    for (let k = 0; k < this.o.confirmPolls; k++) {
      const s = await this.jobState(job);
      this.lastState = s;
      if (s === 'completed') break;
      if (s === 'canceled' || s === 'aborted') throw QueueErrors.jobEnded(job, s);
      await new Promise((r) => setTimeout(r, this.o.pollMs));
    }
    return 'unconfirmed';
  }

  unconfirmedError(): AppError {
    const job = this.lastJob ?? '?';
    const st = STATE_TEXT[this.lastState ?? 'pending'];
    const note = this.lastStatus ? `（${this.lastStatus}）` : '';
    const done = this.lastState === 'completed';
    return new AppError('printer.queued',
      `小票已交给打印队列“${this.queue}”（任务 ${job}：${st.zh}${note}）。队列无法确认已打出：请看一眼纸；${done ? '没有就补打（标“重打”）。' : '它还在队列里，打印机恢复后会打出，请勿补打。'}`,
      `The receipt was sent to the print queue "${this.queue}" (job ${job}: ${st.en}${this.lastStatus ? ` — ${this.lastStatus}` : ''}). The queue cannot confirm it printed: check the paper; ${done ? 'if it is not there, reprint it (marked COPY).' : 'it is still in the queue and prints when the printer is back: do not reprint it.'}`,
      { job, state: this.lastState });
  }

  /** The app gave up on the job: it is cancelled in the queue, so it does not come out later beside its reprint. */
  async clearBuffer(): Promise<boolean> {
    const job = this.lastJob;
    if (!job || this.lastState === 'completed') return false;
    return (await this.cmd('cancel', [job])).code === 0;
  }

  /** ESC p as a job of its own: it opens the drawer when the queue gets to it; never certain. */
  async pulse(): Promise<{ certain: boolean }> {
    const r = await this.cmd('lp', ['-d', this.queue, '-o', 'raw', '-t', 'drawer'], encodeDrawerPulse());
    if (r.code !== 0) throw this.failure(r);
    return { certain: false };
  }

  async close(): Promise<void> {}

  /** A job's state in this queue, from `lpstat -l` (C locale). */
  async jobState(job: string): Promise<QueueJobState> {
    for (const which of ['not-completed', 'completed'] as const) {
      const r = await this.cmd('lpstat', ['-l', '-W', which, '-o', this.queue]);
      if (r.code !== 0) throw this.failure(r);
      const lines = r.stdout.split('\n');
      const at = lines.findIndex((l) => l.split(/\s+/)[0] === job);
      if (at < 0) continue;
      const detail: string[] = [];
      for (const l of lines.slice(at + 1)) {
        if (!/^\s/.test(l)) break;
        detail.push(l.trim());
      }
      const alerts = detail.find((d) => d.startsWith('Alerts:')) ?? '';
      this.lastStatus = (detail.find((d) => d.startsWith('Status:'))?.slice(7).trim() ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 120);
      if (which === 'completed') return /canceled/.test(alerts) ? 'canceled' : /aborted/.test(alerts) ? 'aborted' : 'completed';
      return /job-printing/.test(alerts) ? 'processing' : /held|hold/.test(alerts) ? 'held' : 'pending';
    }
    // Gone from both lists (CUPS forgot it: PreserveJobHistory off): it left the queue.
    return 'completed';
  }

  private cmd(c: 'lp' | 'lpstat' | 'cancel', args: string[], input?: Uint8Array): Promise<CommandResult> {
    return this.run(c, [...serverArgs(this.o.server), ...args], { input, timeoutMs: 15_000 });
  }

  private failure(r: CommandResult): AppError {
    const text = `${r.stderr}\n${r.stdout}`;
    if (/does not exist|Invalid destination|Unknown destination/i.test(text)) return QueueErrors.missing(this.queue);
    if (r.code === -1 || /not running|Unable to connect|Connection refused|No such file or directory/i.test(text)) return QueueErrors.noServer();
    if (/not accepting jobs/i.test(text)) return QueueErrors.stopped(this.queue, 'not accepting jobs');
    return QueueErrors.failed(text.trim());
  }
}
