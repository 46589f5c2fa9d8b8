/**
 * The seeded practice shop of demo mode. PINs are printed on the login screen in demo mode
 * only, so a trainee never needs a handout.
 */
import type { Operator } from '../api/session';

export const demoOperators: ReadonlyArray<Operator & { pin: string }> = [
  { id: 'cashier1', name: '王芳（收银员）', role: 'cashier', pin: '1111' },
  { id: 'super1', name: '李强（主管）', role: 'supervisor', pin: '2222' },
  { id: 'agent1', name: '张秀兰（助农代理）', role: 'agent', pin: '3333' },
  { id: 'trainer1', name: '陈老师（培训师）', role: 'trainer', pin: '4444' },
  { id: 'admin1', name: '赵敏（管理员）', role: 'admin', pin: '5555' },
];
