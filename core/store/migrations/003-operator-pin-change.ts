import type { Migration } from '../migrate';

/**
 * `must_change_pin`: set when an administrator resets an operator's PIN. Login with that PIN is
 * refused until the operator chooses a new one, so the administrator who typed the temporary PIN
 * never knows the one in use.
 * `active` already exists since 001.
 */
export const m003OperatorPinChange: Migration = {
  id: 3,
  name: 'operators: must change PIN at next login',
  async up(q) {
    await q.exec('ALTER TABLE operators ADD COLUMN must_change_pin INTEGER NOT NULL DEFAULT 0');
  },
};
