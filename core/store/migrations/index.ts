/** Every migration of the terminal's database, in one list. See ../migrate.ts for numbering. */
import type { Migration } from '../migrate';
import { m001Operators } from './001-operators';
import { m002Journal } from './002-journal';
import { m101Payments } from './101-payments';
import { m200Offline } from './200-offline';
import { m201OfflineCounters } from './201-offline-counters';
import { m310Receipts } from './310-receipts';
import { m400Agent } from './400-agent';

export const migrations: readonly Migration[] = [m001Operators, m002Journal, m101Payments, m200Offline, m201OfflineCounters, m310Receipts, m400Agent];
