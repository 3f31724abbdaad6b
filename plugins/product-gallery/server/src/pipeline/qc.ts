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

/**
 * What `value` and `threshold` are measured in, so a person reads "12 px (limit 1000 px)" rather
 * than a bare number. The same check id can measure different things on different paths (a
 * clean view's structure is an outline shift, a scene's a changed area), so the unit travels
 * with the check, not with its id.
 * - px: pixels; megapixels: a pixel count (shown in MP); bytes: a file size
 * - fraction: a share 0..1 (shown as a percent); percent: already a percent
 * - change: a signed relative change (shown as ±%); stretch: a ratio of axes (1 = none)
 * - delta-e: CIEDE2000 colour difference; correlation: -1..1 agreement
 * - levels: 8-bit channel levels; score: a unitless score of its own; ratio: width / height
 * - text: a name (format, colour space)
 */
export type QcUnit = 'px' | 'megapixels' | 'bytes' | 'fraction' | 'percent' | 'change' | 'stretch' | 'delta-e' | 'correlation' | 'levels' | 'score' | 'ratio' | 'text';

export interface QcCheck {
  /** Stable id, e.g. 'tech.resolution', 'channel.white-background', 'fidelity.color'. */
  id: string;
  status: QcStatus;
  /** What was measured (number, or a short string such as a format name). */
  value: number | string | boolean | null;
  /** The limit it was compared with (null when there is none). */
  threshold: number | string | null;
  /** What value and threshold are in (absent: nothing was measured, or a check stored before units). */
  unit?: QcUnit;
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
