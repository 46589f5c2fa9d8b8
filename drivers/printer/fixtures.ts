/** Receipts used by the tests, the golden files and the demo test print. */
import type { ReceiptInput } from './receipt';

export const sampleReceipt = (paperWidth: 58 | 80, over: Partial<ReceiptInput> = {}): ReceiptInput => ({
  paperWidth,
  header: ['示范村便民店', '地址：村委会东侧 电话 0871-1234567'],
  orderNo: 'PAY20261128000123',
  printedAt: Date.UTC(2026, 10, 28, 4, 5, 6), // 12:05:06 in China
  operator: '张三',
  terminalId: 'T0001',
  items: [
    { name: '海天酱油 500ml', qty: 2, unitFen: 650, totalFen: 1300 },
    { name: '农夫山泉饮用天然水 550ml（整箱二十四瓶装）', qty: 1, unitFen: 2880, totalFen: 2880 },
    { name: 'Eggs', qty: 10, unitFen: 80, totalFen: 800 },
  ],
  totals: { subtotalFen: 4980, discountFen: 80, totalFen: 4900 },
  tender: { kind: 'wechat', paidFen: 4900 },
  maskedCode: '1345 **** **** 6789',
  eReceiptUrl: 'https://r.example.cn/e/PAY20261128000123',
  footer: ['谢谢惠顾，欢迎再来', 'Thank you'],
  training: false,
  ...over,
});

/** A bill paid in cash while offline: the provisional receipt (待缴费机构确认). */
export const sampleBillReceipt = (paperWidth: 58 | 80, over: Partial<ReceiptInput> = {}): ReceiptInput => ({
  paperWidth,
  header: ['示范村便民店', '地址：村委会东侧 电话 0871-1234567'],
  orderNo: 'BPMIHX2K0A9F3C21D7',
  printedAt: Date.UTC(2026, 10, 28, 4, 5, 6),
  operator: '李四',
  terminalId: 'T0001',
  items: [{ name: '代缴费 Bill payment', qty: 1, unitFen: 8650, totalFen: 8650 }],
  totals: { subtotalFen: 8650, discountFen: 0, totalFen: 8650 },
  tender: { kind: 'cash', paidFen: 8650 },
  maskedCode: null,
  eReceiptUrl: null,
  footer: ['谢谢惠顾，欢迎再来', 'Thank you'],
  training: false,
  notice: ['联网后自动上传缴费单位', 'Sent to the biller when online'],
  service: { kind: 'bill', biller: '国网电费', maskedAccount: '**** 4321', reference: null, provisional: true },
  ...over,
});

/** A refused bill's cash handed back: the receipt the customer signs. */
export const sampleBillReturnReceipt = (paperWidth: 58 | 80, over: Partial<ReceiptInput> = {}): ReceiptInput => ({
  ...sampleBillReceipt(paperWidth),
  items: [{ name: '退还现金 Cash returned', qty: 1, unitFen: 8650, totalFen: 8650 }],
  notice: ['现金已退还客户，请签字', 'Cash given back: please sign'],
  signatureLine: true,
  service: { kind: 'bill_return', biller: '国网电费', maskedAccount: '**** 4321', refusal: ['户号已销户', 'Account closed'] },
  ...over,
});
