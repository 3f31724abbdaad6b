/**
 * The product workspace: GET /products/:documentId, and what generating and importing answer
 * (server: controllers/generation.ts, services/planner.ts).
 */
import type { AssetStatus, Category, Role, Slot } from './vocabulary';
import type { Brief } from './brief';
import type { ReferenceView } from './reference';
import type { AssetListItem } from './assets';

/** One shot of the product's plan: a role of its brief, as it would be generated now. */
export interface PlannedShot {
  role: Role;
  required: boolean;
  generator: 'local' | 'replicate';
  model: string | null;
  prompt: string;
  negativePrompt: string;
  aspectRatio: string;
  minLongEdge: number;
  /** The live asset already covering this role, if any (generating skips the role). */
  existing: { documentId: string; status: AssetStatus; version: number } | null;
  missing: boolean;
  /** Status of the role's most recent asset that is not archived (a failed one too), or 'missing'. */
  status: AssetStatus | 'missing';
}

/** The shot list of a product (server: services/planner.ts plan). */
export interface Plan {
  product: { documentId: string; title: string; sku: string; category: Category };
  brief: { documentId: string; name: string; version: number } | null;
  shots: PlannedShot[];
  /** Roles with no live asset: what "Generate all" makes. */
  missingRoles: Role[];
  missingRequired: Role[];
}

export interface WorkspaceProduct {
  documentId: string;
  title: string;
  slug: string;
  sku: string;
  category: Category;
  metal: string | null;
  description: string | null;
  stones: Record<string, unknown>[];
  dimensions: Record<string, unknown> | null;
}

export interface SourcePhoto {
  id: number;
  url: string;
  width: number | null;
  height: number | null;
  mime: string | null;
}

/** GET /products/:documentId (in `data`). */
export interface Workspace {
  product: WorkspaceProduct;
  sourcePhoto: SourcePhoto | null;
  /** Null until the source photo is analysed. */
  reference: ReferenceView | null;
  /** The brief that applies to the product, or null when none does. */
  brief: Brief | null;
  plan: Plan;
}

/**
 * POST /products/:documentId/generate (in `data`): the shots queued, as the asset list shows them,
 * and the roles that already had one.
 */
export interface GenerateResult {
  assets: AssetListItem[];
  skipped: Role[];
}

/** Where an import breaks its role's rules (server: pipeline/role-rules.ts). */
export interface RoleRuleWarning {
  rule: 'minLongEdge' | 'aspectRatio';
  required: number | string;
  actual: number | string;
  message: string;
}

/** Which of the role's images fills its slot, once the import is in (server: domain/role-candidates.ts). */
export interface RoleCandidates {
  role: Role;
  slots: Slot[];
  onPage: { documentId: string; status: 'published' } | null;
  waiting: { documentId: string; status: AssetStatus }[];
  message: string;
}

/**
 * POST /products/:documentId/assets: the new draft (as the asset list shows it, its checks
 * included), where it breaks its role's rules, and who fills the slot.
 */
export interface ImportResult {
  data: AssetListItem;
  meta: { warnings: RoleRuleWarning[]; candidates: RoleCandidates };
}
