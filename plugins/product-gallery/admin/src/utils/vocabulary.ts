/**
 * The plugin's words, from the server's own modules (pure constants, bundled into the admin): the
 * admin's lists of categories, roles, slots and statuses cannot drift from what the server accepts.
 */
import { UID } from '../../../server/src/domain/vocabulary';
import type { AssetStatus } from '../../../server/src/domain/vocabulary';

export {
  CATEGORIES,
  ROLES,
  SLOTS,
  STATUSES,
  GENERATORS,
  CHANNELS,
  type Category,
  type Role,
  type Slot,
  type AssetStatus,
  type Channel,
} from '../../../server/src/domain/vocabulary';
export { DEFAULT_SLOT_PLAN } from '../../../server/src/domain/slot-plan';

export const PRODUCT_UID = UID.product;

/** Statuses during which the worker is still busy: the workspace polls while any shot has one. */
export const BUSY_STATUSES: readonly AssetStatus[] = ['queued', 'generating'];

/** Statuses that are waiting for a human. */
export const AWAITING_STATUSES: readonly AssetStatus[] = ['draft', 'in_review', 'approved'];
