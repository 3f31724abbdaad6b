/** The response shapes of the admin API as the admin reads them. */
import type { AssetStatus, Category, Channel, Role, Slot } from '../utils/vocabulary';
import type { SlotState } from '../../../shared/contracts/vocabulary';
import type { Brief } from '../../../shared/contracts/brief';

export type { Overview, OverviewCounts, OverviewRow, ProductReadiness, Readiness, ReadinessSummary, RoleReadiness, SlotReadiness } from '../../../shared/contracts/readiness';
export type { Brief, RoleSpec, SlotRule } from '../../../shared/contracts/brief';
export type { IntakeLimits, PluginConfig } from '../../../shared/contracts/config';
export type { SlotState as CellState } from '../../../shared/contracts/vocabulary';

/** The slot states in the overview legend's order (their type is the contract's SlotState). */
export const CELL_STATES: readonly SlotState[] = ['published', 'approved', 'in_review', 'draft', 'generating', 'failed', 'missing'];

export interface ImageRef {
  url: string;
  width?: number | null;
  height?: number | null;
  mime?: string | null;
  name?: string | null;
}

export interface QcResult {
  id: string;
  status: 'pass' | 'warn' | 'unverified' | 'fail';
  value?: unknown;
  threshold?: unknown;
  /** What value and threshold are in (server: pipeline/qc.ts QcUnit). */
  unit?: string;
  message?: string | null;
}

export interface AuditEvent {
  id?: number | string;
  from: AssetStatus | null;
  to: AssetStatus;
  actor?: string | null;
  /** The admin's name (server: services/assets.ts review), or null. */
  actorName?: string | null;
  /** Which part of the plugin made a move by itself ('dispatcher'), or null. */
  system?: string | null;
  at: string;
  note?: string | null;
  override?: boolean | null;
}

export interface Asset {
  documentId: string;
  role: Role;
  slot?: Slot | null;
  status: AssetStatus;
  /** Where a generating shot is (server: services/assets.ts). */
  stage?: 'making' | 'replicate' | 'checking' | null;
  version: number;
  file?: ImageRef | null;
  alt?: string | null;
  width?: number | null;
  height?: number | null;
  renditions?: unknown;
  placeholder?: string | null;
  qc?: QcResult[] | null;
  qcStatus?: 'pass' | 'warn' | 'unverified' | 'fail' | null;
  /** Approved despite failed or undecided checks: the reviewer's written reason (server: services/assets.ts). */
  approvalOverride?: { reason: string; by: string; at: string } | null;
  provenance?: Record<string, unknown> | null;
  error?: string | null;
  prompt?: string | null;
  updatedAt?: string;
  createdAt?: string;
  product?: { documentId: string; title?: string; slug?: string; sku?: string } | null;
}

export interface AssetDetail {
  asset: Asset;
  source?: ImageRef | null;
  candidate?: ImageRef | null;
  qc: QcResult[];
  provenance?: Record<string, unknown> | null;
  history: AuditEvent[];
  product?: { documentId: string; title?: string; slug?: string; sku?: string } | null;
}

export interface IntakeReference {
  confidence: number | null;
  needsReview: boolean;
  reasons: string[];
  warnings: string[];
  intake?: { format?: string; width?: number; height?: number; bytes?: number } | null;
}

export interface PlannedShot {
  role: Role;
  required: boolean;
  generator?: string | null;
  model?: string | null;
  prompt?: string | null;
  aspectRatio?: string | null;
  minLongEdge?: number | null;
  status: AssetStatus | 'missing';
}

export interface Workspace {
  product: {
    documentId: string;
    title: string;
    slug?: string;
    sku?: string;
    category?: Category;
    metal?: string;
    description?: string | null;
    stones?: unknown[];
    dimensions?: Record<string, unknown> | null;
  };
  source?: ImageRef | null;
  reference?: IntakeReference | null;
  cutoutUrl?: string | null;
  brief?: Brief | null;
  plan: PlannedShot[];
  missingRoles: Role[];
  assets: Asset[];
}

export interface RenderedPrompt {
  role: Role;
  prompt: string;
  negativePrompt?: string;
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

export interface ImportResult {
  asset: Asset;
  warnings: RoleRuleWarning[];
  candidates: RoleCandidates | null;
}

export interface GallerySlot {
  slot: Slot;
  role: Role;
  image: {
    url: string;
    width: number;
    height: number;
    mime?: string;
    alt?: string;
    focalPoint?: { x: number; y: number } | null;
    thumbhash?: string | null;
    sources?: { url: string; width: number; height: number; format: string }[];
  };
}

export interface Gallery {
  product: { documentId: string; slug: string; sku?: string; title: string; category?: string };
  slots: GallerySlot[];
  updatedAt?: string;
}

/** A rule or a broken rule, with the values its translated wording needs (server: pipeline/channel-rules.ts). */
export interface ChannelRuleText {
  text: string;
  values: Record<string, string | number>;
}

export interface ChannelRule extends ChannelRuleText {
  id: string;
}

export interface ChannelRuleBreak extends ChannelRuleText {
  rule: string;
  level: 'fail' | 'warn';
}

export interface ChannelFile {
  name: string;
  position: number;
  slots: string[];
  role: Role;
  asset: string;
  preset: string;
  label: string;
  format: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  upscaled: boolean;
  framing: 'crop' | 'pad' | 'fit';
  notes: string[];
  breaks: ChannelRuleBreak[];
  preview: string | null;
}

export interface ChannelPreview {
  channel: Channel;
  notes: string[];
  presets: { id: string; label: string; rules: ChannelRule[] }[];
  files: ChannelFile[];
}

export interface RefineStroke {
  mode: 'keep' | 'remove';
  /** brush radius as a fraction of the photo's long side */
  radius: number;
  /** 0..1 of the photo's width and height */
  points: { x: number; y: number }[];
}

export interface ReferenceMask {
  fileId: number;
  url: string;
  method?: 'auto' | 'refined' | 'ai';
  confirmedBy?: string;
  confirmedAt?: string;
  strokes?: number;
  note?: string | null;
  model?: string;
  areaFraction?: number;
  agreement?: number;
}
