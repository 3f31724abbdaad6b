import type { SlotRule } from '../../../shared/contracts/brief';

/**
 * REFERENCE.md section 1: the default page-slot map. A module of its own so the admin bundles the
 * plan alone, without the default briefs' prompts.
 */
export const DEFAULT_SLOT_PLAN: SlotRule[] = [
  { slot: 'grid', roles: ['clean', 'model'] },
  { slot: 'hero', roles: ['clean', 'model'] },
  { slot: 'gallery-2', roles: ['model', 'size'] },
  { slot: 'gallery-3', roles: ['detail'] },
  { slot: 'campaign', roles: ['lifestyle'] },
];
