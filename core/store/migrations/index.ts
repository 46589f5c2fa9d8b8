/** Every migration of the terminal's database, in one list. See ../migrate.ts for numbering. */
import type { Migration } from '../migrate';
import { m001Operators } from './001-operators';
import { m002Journal } from './002-journal';

export const migrations: readonly Migration[] = [m001Operators, m002Journal];
