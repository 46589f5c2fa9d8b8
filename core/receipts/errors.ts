/** Errors a cashier can meet around receipts: a stable code and plain words in zh-CN and en. */
import { AppError } from '../api/errors';

export const ReceiptErrors = {
  badHeader: (why: { zh: string; en: string }) =>
    new AppError('receipts.bad_header', `小票抬头不正确：${why.zh}未做任何更改。`, `The receipt header is not valid: ${why.en} Nothing was changed.`),
  badMode: () => new AppError('receipts.bad_mode', '小票方式只能是“打印”“扫码”或“两者”。未做任何更改。', 'The receipt mode must be print, qr or both. Nothing was changed.'),
  badUrl: () =>
    new AppError('receipts.bad_url', '电子小票链接必须以 https:// 开头，且不超过 200 个字符（中文按编码后的长度计，每个汉字 9 个字符）、不含空格或控制字符。未做任何更改。',
      'The e-receipt link must start with https://, be at most 200 characters (counted once encoded: 9 per Chinese character) and contain no spaces or control characters. Nothing was changed.'),
  urlNeedsSupervisor: () =>
    new AppError('receipts.url_role', '电子小票链接须由主管或管理员修改。未做任何更改。', 'Only a supervisor or administrator may change the e-receipt link. Nothing was changed.'),
  unknownOrder: () => new AppError('receipts.unknown_order', '没有这笔订单，请核对单号。', 'There is no such order. Check the order number.'),
  notPrintable: (state: string) =>
    new AppError('receipts.not_printable', '这笔订单未成功收款，没有小票可打印。', 'This order was not paid, so there is no receipt to print.', { state }),
};
