/** The response shapes of the admin API as the admin reads them. */
import type { AssetStatus, Category, Channel, Role, Slot } from '../utils/vocabulary';

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

/** A slot's state as the server judges it against the product's own brief (server: domain/slot-state.ts). */
export const CELL_STATES = ['published', 'approved', 'in_review', 'draft', 'generating', 'failed', 'missing'] as const;

export type CellState = (typeof CELL_STATES)[number];

export interface SlotReadiness {
  slot: Slot;
  state: CellState;
  /** The role that fills it (published) or whose shot gives the state. */
  role?: Role | null;
  /** Roles that may fill the slot, in fallback order. */
  roles?: Role[];
  thumbnailUrl?: string | null;
  asset?: { documentId: string; role: Role; url?: string | null; thumbnailUrl?: string | null } | null;
}

export interface RoleReadiness {
  role: Role;
  required?: boolean;
  status: AssetStatus | 'missing';
  latest?: { documentId: string; status: AssetStatus; version: number; qcStatus?: string | null } | null;
}

export interface ReadinessSummary {
  filled: number;
  total: number;
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

export interface ProductSummary {
  documentId: string;
  title: string;
  slug?: string;
  sku?: string;
  category?: Category;
  metal?: string;
  sourcePhoto?: (ImageRef & { thumbnailUrl?: string | null }) | null;
  briefName?: string | null;
  readiness: Readiness;
}

export interface ProductCounts {
  total: number;
  ready: number;
  awaitingReview: number;
  missingAny: number;
  failed: number;
  missingBySlot: Record<string, number>;
  /** Shots (not products) in review. */
  shotsAwaitingReview?: number;
  /** Matrix cells by state, over the rows the filters keep. */
  slotStates?: Partial<Record<CellState, number>>;
}

export interface RoleSpec {
  id?: number;
  role: Role;
  required: boolean;
  aspectRatio: string;
  minLongEdge: number;
  generator: 'auto' | 'local' | 'replicate';
  model?: string | null;
  promptTemplate?: string | null;
  negativePrompt?: string | null;
  scene?: string | null;
  style?: string | null;
  fill?: number | null;
  [key: string]: unknown;
}

export interface SlotRule {
  id?: number;
  slot: Slot;
  roles: Role[];
}

export interface Brief {
  documentId: string;
  name: string;
  categories: Category[] | null;
  roles: RoleSpec[];
  slotPlan: SlotRule[];
  version: number;
  updatedAt?: string;
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

/** What intake refuses before any check runs (server: pipeline/intake.ts, config pipeline). */
export interface IntakeLimits {
  types: { label: string; mime: string }[];
  maxBytes: number;
  maxPixels: number;
  minShortSide: number;
}

export interface PluginConfig {
  replicateConfigured: boolean;
  channels: Channel[];
  intake: IntakeLimits | null;
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
