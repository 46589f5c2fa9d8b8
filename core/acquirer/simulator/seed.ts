/**
 * The simulator's practice world: the demo merchant and a handful of wallets a trainer can
 * show — plain ones, ones that ask for a password (USERPAYING), and one nearly empty.
 * Seeded once; balances then move with the lessons and survive restarts.
 */
import type { Db } from '../../store/db';

export const demoWallets = [
  { id: 'W01', name: '张大爷（微信）', scheme: 'wechat', balance: 500_00, password: 0 },
  { id: 'W02', name: '李奶奶（支付宝）', scheme: 'alipay', balance: 800_00, password: 0 },
  { id: 'W03', name: '王叔（云闪付）', scheme: 'unionpay', balance: 1000_00, password: 0 },
  { id: 'W04', name: '赵阿姨（微信，需输密码）', scheme: 'wechat', balance: 2000_00, password: 1 },
  { id: 'W05', name: '刘婶（支付宝，需输密码）', scheme: 'alipay', balance: 600_00, password: 1 },
  { id: 'W06', name: '孙小明（微信，余额将尽）', scheme: 'wechat', balance: 12_00, password: 0 },
  { id: 'W07', name: '周大哥（刷脸）', scheme: 'face', balance: 300_00, password: 0 },
] as const;

export async function seedSimulator(db: Db): Promise<void> {
  await db.tx(async (q) => {
    await q.run("INSERT OR IGNORE INTO merchants (id, name) VALUES ('M0001', '示范村便民店')");
    for (const w of demoWallets) {
      await q.run('INSERT OR IGNORE INTO wallets (id, name, scheme, balance_fen, needs_password) VALUES (?, ?, ?, ?, ?)', [w.id, w.name, w.scheme, w.balance, w.password]);
    }
  });
}
