import type { AssetStatus } from './vocabulary';

/** The review workflow. The server is the only place that moves an asset. */
export const TRANSITIONS: Record<AssetStatus, readonly AssetStatus[]> = {
  queued: ['generating'],
  generating: ['draft', 'failed'],
  draft: ['in_review'],
  in_review: ['approved', 'rejected'],
  approved: ['published'],
  published: ['archived'],
  rejected: ['queued', 'archived'],
  failed: ['queued'],
  archived: [],
};

/** Moves an editor may ask for; the rest are made by the generation worker. */
export const EDITOR_TRANSITIONS: ReadonlySet<AssetStatus> = new Set([
  'in_review',
  'approved',
  'rejected',
  'published',
  'archived',
  'queued',
]);

export const canTransition = (from: AssetStatus, to: AssetStatus) => TRANSITIONS[from].includes(to);

/** An asset still counts for planning while it is in one of these. */
export const LIVE_STATUSES: readonly AssetStatus[] = [
  'queued',
  'generating',
  'draft',
  'in_review',
  'approved',
  'rejected',
  'published',
];
