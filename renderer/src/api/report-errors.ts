/**
 * The page's own failures into the terminal's log (`log:renderer`, core/ops): uncaught errors,
 * unhandled rejections and errors Vue caught in a component. Cut to the contract's sizes here
 * (the core checks again and redacts); the route is sent without its query, which may carry the
 * browser shell's token. Reporting never throws and never reports its own failure (no loop).
 */
import type { App } from 'vue';
import type { RendererLogInput } from '../../../core/api/ops';
import { hasMethod, send } from './client';

const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

function describe(e: unknown): { message: string; stack?: string } {
  if (e instanceof Error) return { message: `${e.name}: ${e.message}`, stack: e.stack };
  try {
    return { message: typeof e === 'string' ? e : JSON.stringify(e) ?? String(e) };
  } catch {
    return { message: String(e) };
  }
}

export function reportError(source: RendererLogInput['source'], e: unknown): void {
  if (!hasMethod('log:renderer')) return;
  const d = describe(e);
  const input: RendererLogInput = {
    level: 'error',
    source,
    message: cut(d.message || '(no message)', 1000),
    stack: d.stack ? cut(d.stack, 4000) : undefined,
    route: cut(window.location.hash.split('?')[0] ?? '', 200),
  };
  send('log:renderer', input).catch(() => undefined);
}

export function installErrorReporting(app: App): void {
  window.addEventListener('error', (ev) => reportError('window.error', ev.error ?? ev.message));
  window.addEventListener('unhandledrejection', (ev) => reportError('unhandledrejection', ev.reason));
  const previous = app.config.errorHandler;
  app.config.errorHandler = (err, instance, info) => {
    reportError('vue', err);
    if (previous) previous(err, instance, info);
    else console.error(err);
  };
}
