/**
 * Errors a user can meet. Every one carries a stable code (for tests, logs and support) and a
 * plain-language message in zh-CN and en. Nothing here ever contains a secret, a PIN or a full
 * payment code: these objects cross the IPC/WebSocket boundary and may be logged.
 */
import { z } from 'zod';

export const AppErrorShape = z.object({
  code: z.string(),
  zh: z.string(),
  en: z.string(),
  /** Optional structured detail safe to show (e.g. the rule that declined a payment). */
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type AppErrorShape = z.infer<typeof AppErrorShape>;

export class AppError extends Error {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
  readonly detail?: Record<string, unknown>;
  constructor(code: string, zh: string, en: string, detail?: Record<string, unknown>) {
    super(`${code}: ${en}`);
    this.name = 'AppError';
    this.code = code;
    this.zh = zh;
    this.en = en;
    this.detail = detail;
  }
  toShape(): AppErrorShape {
    return this.detail
      ? { code: this.code, zh: this.zh, en: this.en, detail: this.detail }
      : { code: this.code, zh: this.zh, en: this.en };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Errors of the transport itself (both shells use the same ones). */
export const RpcErrors = {
  unknownMethod: () => new AppError('rpc.unknown_method', '不支持的操作。', 'Unknown operation.'),
  /** `words`: what was wrong, naming the field (payload-words.ts); without it, the bare refusal. */
  badPayload: (issues?: string, words?: { zh: string; en: string }) =>
    new AppError('rpc.bad_payload',
      words ? `${words.zh}，未做任何更改。` : '请求内容不正确，未做任何更改。',
      words ? `${words.en}; nothing was changed.` : 'The request was malformed; nothing was changed.',
      issues ? { issues } : undefined),
  tooLarge: () => new AppError('rpc.too_large', '请求内容过大，已拒绝。', 'The request is too large and was refused.'),
  forbidden: () => new AppError('rpc.forbidden', '请求来源不被允许。', 'The request came from a source that is not allowed.'),
  unauthorized: () => new AppError('rpc.unauthorized', '缺少或错误的访问令牌。', 'Missing or wrong access token.'),
  notLoggedIn: () => new AppError('auth.not_logged_in', '请先登录。', 'Please log in first.'),
  roleRequired: (roles: readonly string[]) =>
    new AppError('auth.role_required', '当前操作员无权执行此操作。', 'The current operator is not allowed to do this.', { roles: [...roles] }),
  internal: () =>
    new AppError('internal', '系统出错，操作未完成。请重试；如仍失败，请联系维护人员。',
      'Something went wrong and the operation did not complete. Try again; if it keeps failing, contact support.'),
};

/** Converts anything thrown into a shape safe to send to the UI: no stack traces, no internals. */
export function toErrorShape(e: unknown): AppErrorShape {
  if (isAppError(e)) return e.toShape();
  return RpcErrors.internal().toShape();
}
