/**
 * The shape every quality check returns (technical, channel and fidelity checks alike), and the
 * roll-up an editor sees first.
 */
/**
 * 'unverified' (shown as "cannot verify") is a check that could not decide: the product was not
 * found with confidence, or there is nothing to compare with. Like 'fail', it blocks approval
 * unless a reviewer writes why; it is never turned into a warning.
 */
export type QcStatus = 'pass' | 'warn' | 'unverified' | 'fail';

export interface QcCheck {
  /** Stable id, e.g. 'tech.resolution', 'channel.white-background', 'fidelity.color'. */
  id: string;
  status: QcStatus;
  /** What was measured (number, or a short string such as a format name). */
  value: number | string | boolean | null;
  /** The limit it was compared with (null when there is none). */
  threshold: number | string | null;
  /** One sentence an editor understands, saying what to do when it is not a pass. */
  message: string;
  /** The individual measurements behind the status (fidelity checks), for the review and the evaluations. */
  metrics?: Record<string, number | null>;
}

const RANK: Record<QcStatus, number> = { pass: 0, warn: 1, unverified: 2, fail: 3 };

/** Worst status wins: fail, then unverified, then warn, else 'pass' (also for no checks). */
export function summarizeQc(checks: readonly Pick<QcCheck, 'status'>[]): QcStatus {
  let worst: QcStatus = 'pass';
  for (const c of checks) if (RANK[c.status] > RANK[worst]) worst = c.status;
  return worst;
}
