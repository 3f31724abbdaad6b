/**
 * Readiness: GET /products (the overview) and GET /products/:documentId/readiness
 * (server: services/readiness.ts).
 */
import type { AssetStatus, Category, Role, Slot, SlotState } from './vocabulary';

export interface SlotReadiness {
  slot: Slot;
  /** Roles that may fill the slot, in fallback order. */
  roles: Role[];
  state: SlotState;
  /** The role that fills it, or whose shot gives the state. */
  role: Role | null;
  /** The published image in the slot, or 'missing'. */
  asset:
    | {
        documentId: string;
        role: Role;
        version: number;
        qcStatus: string | null;
        url: string | null;
        thumbnailUrl: string | null;
        width: number | null;
        height: number | null;
      }
    | 'missing';
}

export interface RoleReadiness {
  role: Role;
  required: boolean;
  /** Status of the role's most recent asset, or null when it has none. */
  status: AssetStatus | null;
  latest: { documentId: string; status: AssetStatus; version: number; qcStatus: string | null; updatedAt: string | null } | null;
  counts: Partial<Record<AssetStatus, number>>;
}

export interface ReadinessSummary {
  filled: number;
  total: number;
  /** Every slot not yet on the page, whatever is on its way. */
  missing: Slot[];
  awaitingReview: number;
  failed: number;
  inProgress: number;
  ready: boolean;
}

export interface Readiness {
  slots: SlotReadiness[];
  roles: RoleReadiness[];
  summary: ReadinessSummary;
}

/** GET /products/:documentId/readiness (in `data`). */
export interface ProductReadiness extends Readiness {
  product: { documentId: string; title: string; sku: string; slug: string; category: Category };
  galleryVersion: number;
}

/** One row of the overview: the product and its slots' states. */
export interface OverviewRow {
  documentId: string;
  title: string;
  sku: string;
  slug: string;
  category: Category;
  updatedAt: string | null;
  brief: { name: string } | null;
  sourcePhoto: { url: string; thumbnailUrl: string } | null;
  slots: { slot: Slot; state: SlotState; role: Role | null; roles: Role[]; thumbnailUrl: string | null }[];
  roles: { role: Role; required: boolean; status: AssetStatus | null }[];
  readiness: ReadinessSummary;
}

/** Counts over the whole (filtered) catalogue: products, except where the name says shots or slots. */
export interface OverviewCounts {
  total: number;
  ready: number;
  awaitingReview: number;
  shotsAwaitingReview: number;
  missingAny: number;
  failed: number;
  missingBySlot: Record<string, number>;
  /** The matrix's cells by state, over the rows the filters keep. */
  slotStates: Record<SlotState, number>;
}

/** GET /products */
export interface Overview {
  data: OverviewRow[];
  meta: {
    pagination: { page: number; pageSize: number; pageCount: number; total: number };
    counts: OverviewCounts;
  };
}
