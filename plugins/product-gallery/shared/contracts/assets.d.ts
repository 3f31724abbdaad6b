/**
 * Assets: GET /assets (the list), GET /assets/:documentId (the review payload), POST
 * /assets/:documentId/transition, PUT /assets/:documentId (server: services/assets.ts).
 */
import type { AssetStatus, Category, Role, Slot } from './vocabulary';

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

/** The shape every quality check returns (technical, channel and fidelity checks alike; server: pipeline/qc.ts). */
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

/** An asset's checks and what they mean for approving it. */
export interface QcView {
  status: QcStatus | null;
  checks: QcCheck[];
  failing: string[];
  unverified: string[];
  warnings: string[];
  /** Approving needs a written override (a check failed or could not decide). */
  overrideRequired: boolean;
}

/**
 * A move an editor may ask for from the asset's status, and whether the signed-in editor's role
 * allows it: the admin shows exactly the permitted ones.
 */
export interface Move {
  to: AssetStatus;
  /** The RBAC action it needs, or null when none. */
  action: string | null;
  permitted: boolean;
}

export interface FileView {
  id: number;
  documentId: string;
  name: string;
  url: string;
  width: number | null;
  height: number | null;
  mime: string | null;
  size: number | null;
  thumbnailUrl: string;
}

export interface AssetProduct {
  id: number;
  documentId: string;
  title: string;
  sku: string;
  slug: string;
  category: Category;
  metal: string | null;
}

export type GenerationStage = 'making' | 'replicate' | 'checking';

export interface ApprovalOverride {
  reason: string;
  by: string;
  at: string;
}

/** The fields every view of an asset carries. */
export interface AssetView {
  id: number;
  documentId: string;
  role: Role;
  slot: Slot | null;
  status: AssetStatus;
  version: number;
  qcStatus: QcStatus | null;
  width: number | null;
  height: number | null;
  alt: string | null;
  placeholder: string | null;
  error: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  publishedInSlotAt: string | null;
  /** Approved despite failed or undecided checks: the reviewer's written reason. */
  approvalOverride: ApprovalOverride | null;
  /** Where a generating shot is. */
  stage: GenerationStage | null;
  /** How much the image's pixels were enlarged, when known. */
  upscaleFactor: number | null;
  /** A local composite on a drawn scene, not a photograph. */
  scenePreview: boolean;
  file: FileView | null;
  product: AssetProduct | null;
}

/** One event of an asset's audit trail. */
export interface AuditEvent {
  at: string;
  from: AssetStatus | null;
  to: AssetStatus;
  /** The admin's e-mail, or `system:<name>`. */
  actor: string | null;
  actorId: number | null;
  /** The admin's name, or null. */
  actorName: string | null;
  /** Which part of the plugin made a move by itself ('dispatcher'), or null. */
  system: string | null;
  note: string | null;
  override: boolean;
  qc: unknown;
}

/** Who made a move, as the admin names them. */
export type EventActor = Pick<AuditEvent, 'actor' | 'actorName' | 'system'>;

/** What an asset's audit trail says that its views show. */
export interface TrailFacts {
  /** How many images were made for the shot (arrivals in draft), at least one. */
  imageNumber: number;
  /** The latest rejection with a reason, while the asset is rejected. */
  rejection: (EventActor & { note: string; at: string }) | null;
  /** Who approved it with an override, while it carries one. */
  overrideBy: EventActor | null;
}

/** One row of GET /assets: what a shot card shows, without asking for the asset again. */
export interface AssetListItem extends AssetView, TrailFacts {
  qc: QcView;
  moves: Move[];
}

/** GET /assets */
export interface AssetList {
  data: AssetListItem[];
  meta: { pagination: { page: number; pageSize: number; pageCount: number; total: number } };
}

/** GET /assets/:documentId (in `data`): the review against the source. */
export interface AssetReview extends Omit<AssetView, 'product'>, TrailFacts {
  product: AssetProduct & {
    description: string | null;
    stones: Record<string, unknown>[];
    dimensions: Record<string, unknown> | null;
  };
  source: FileView | null;
  candidate: FileView | null;
  renditions: unknown;
  focalPoint: { x: number; y: number } | null;
  qc: QcView;
  provenance: Record<string, unknown> | null;
  prompt: string | null;
  cost: number | null;
  attempts: number;
  moves: Move[];
  /**
   * The review's decisions (approve, reject), each with whether this editor's role allows it,
   * whatever the asset's status now: the review page keeps the allowed ones in place, enabled
   * when `moves` offers them.
   */
  decisions: Move[];
  history: AuditEvent[];
}

/** POST /assets/:documentId/transition (in `data`): the moved asset and where it may go next. */
export interface TransitionResult extends AssetView {
  allowed: readonly AssetStatus[];
}

/** PUT /assets/:documentId (in `data`). */
export interface AssetUpdateResult extends AssetView {
  focalPoint: { x: number; y: number } | null;
  /** The fields the update changed (none: nothing to record). */
  changed: string[];
}
