/**
 * The shape every quality check returns (technical, channel and fidelity checks alike), and the
 * roll-up an editor sees first.
 */
import type { QcCheck, QcStatus } from '../../../shared/contracts/assets';

export type { QcCheck, QcStatus, QcUnit } from '../../../shared/contracts/assets';

const RANK: Record<QcStatus, number> = { pass: 0, warn: 1, unverified: 2, fail: 3 };

/** Worst status wins: fail, then unverified, then warn, else 'pass' (also for no checks). */
export function summarizeQc(checks: readonly Pick<QcCheck, 'status'>[]): QcStatus {
  let worst: QcStatus = 'pass';
  for (const c of checks) if (RANK[c.status] > RANK[worst]) worst = c.status;
  return worst;
}
