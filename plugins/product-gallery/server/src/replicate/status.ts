import type { Prediction, PredictionStatus } from './types';

export const TERMINAL_STATUSES: ReadonlySet<PredictionStatus> = new Set(['succeeded', 'failed', 'canceled', 'aborted']);

/** True for succeeded, failed, canceled and aborted (client 1.4.0's wait() forgets `aborted`). */
export function isTerminalStatus(status: string | undefined | null): boolean {
  return !!status && TERMINAL_STATUSES.has(status as PredictionStatus);
}

const RANK: Record<PredictionStatus, number> = {
  starting: 0,
  processing: 1,
  succeeded: 2,
  failed: 2,
  canceled: 2,
  aborted: 2,
};

type StateLike = Pick<Prediction, 'status'> & { output?: unknown; logs?: string; completed_at?: string | null };

function outputWeight(output: unknown): number {
  if (output === null || output === undefined) return 0;
  if (Array.isArray(output)) return output.length;
  return 1;
}

/**
 * Whether `next` (e.g. a webhook delivery) carries a newer state than `prev` (what we stored).
 * Webhooks may repeat and arrive out of order, so the dispatcher applies a delivery only when
 * this returns true: starting < processing < terminal; a terminal state is never replaced; within
 * `processing`, a delivery with more output or longer logs is newer. Equal states are not newer
 * (a duplicate is harmless and ignored).
 */
export function isNewerState(prev: StateLike | null | undefined, next: StateLike): boolean {
  if (!prev) return true;
  const a = RANK[prev.status] ?? -1;
  const b = RANK[next.status] ?? -1;
  if (b !== a) return b > a;
  if (isTerminalStatus(prev.status)) return false;
  const oa = outputWeight(prev.output);
  const ob = outputWeight(next.output);
  if (ob !== oa) return ob > oa;
  return (next.logs?.length ?? 0) > (prev.logs?.length ?? 0);
}
