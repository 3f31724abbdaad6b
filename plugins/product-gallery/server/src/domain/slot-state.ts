import type { AssetStatus, Role } from './vocabulary';

/** What an editor needs to know of one page slot, best first. */
export const SLOT_STATES = ['published', 'approved', 'in_review', 'draft', 'generating', 'failed', 'missing'] as const;
export type SlotState = (typeof SLOT_STATES)[number];

/** Asset statuses behind each unpublished state; rejected and archived shots fill nothing. */
const BEHIND: Record<Exclude<SlotState, 'published' | 'missing'>, readonly AssetStatus[]> = {
  approved: ['approved'],
  in_review: ['in_review'],
  draft: ['draft'],
  generating: ['queued', 'generating'],
  failed: ['failed'],
};

/**
 * The state of one slot of the product's own plan. `filledBy` is the role whose published image
 * fills it (the gallery's own choice, so what counts as publishable stays decided in one place);
 * otherwise the slot shows the furthest any of its roles has come, so an approved shot waiting to
 * be published is not hidden behind a newer draft.
 */
export const slotState = (
  roles: readonly Role[],
  assets: readonly { role: Role; status: AssetStatus }[],
  filledBy: Role | null
): { state: SlotState; role: Role | null } => {
  if (filledBy) return { state: 'published', role: filledBy };
  for (const state of ['approved', 'in_review', 'draft', 'generating', 'failed'] as const) {
    const role = roles.find((r) => assets.some((a) => a.role === r && BEHIND[state].includes(a.status)));
    if (role) return { state, role };
  }
  return { state: 'missing', role: null };
};
