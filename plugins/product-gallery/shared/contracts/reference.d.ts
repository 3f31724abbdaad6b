/**
 * A product's reference cutout: in GET /products/:documentId, and POST
 * /products/:documentId/reference/{preview,confirm,ai} (server: services/reference.ts).
 */

/** Where a product's reference stands: only `needs-check` blocks generation. */
export type ReferenceState = 'missing' | 'needs-check' | 'automatic' | 'confirmed';

export interface StoredMask {
  fileId: number;
  url: string;
}

/** The mask a person confirmed: what every check and local shot is made from. */
export interface ConfirmedMask extends StoredMask {
  method: 'auto' | 'refined' | 'ai';
  confirmedBy: string;
  confirmedById: number | null;
  confirmedAt: string;
  strokes: number;
  note: string | null;
  automaticConfidence: number;
}

/** The AI background remover's mask, kept beside ours until an editor adopts it. */
export interface AiMask extends StoredMask {
  model: string;
  predictionId: string;
  at: string;
  areaFraction: number;
  /** Intersection over union with the automatic cutout. */
  agreement: number;
}

export interface BBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Why the cutout's confidence is what it is. */
export interface CutoutReason {
  code: string;
  message: string;
  /** Multiplicative factor applied to the confidence (1 = informational). */
  factor: number;
}

/** The automatic cutout of a photo, without its mask (server: pipeline/cutout). */
export interface CutoutSummary {
  /** Bounding box of mask >= 128 in full-resolution pixels. */
  bbox: BBox;
  /** sum(mask) / 255 / (width * height) */
  areaFraction: number;
  /** Background-coloured regions enclosed by the product (ring hole, necklace loop). */
  holes: number;
  /** Significant separate product parts (e.g. 2 for a pair of earrings). */
  parts: number;
  /** Fraction of the outermost pixel ring covered by the product. */
  borderContact: number;
  /** 0..1 */
  confidence: number;
  reasons: CutoutReason[];
}

/** The stored reference as the admin reads it (without the fingerprint, which is the server's own). */
export interface ReferenceView {
  state: Exclude<ReferenceState, 'missing'>;
  intake: { format: string; mime: string; width: number; height: number; hasAlpha: boolean; sha256: string; bytes: number };
  /** What intake noticed about the photo. */
  warnings: { code: string; message: string }[];
  cutout: CutoutSummary;
  /** The cutout needs a person's check before anything is generated from it. */
  needsReview: boolean;
  sourceFileId: number;
  cutoutFileId: number | null;
  cutoutUrl: string | null;
  analyzedAt: string;
  mask: ConfirmedMask | null;
  aiMask: AiMask | null;
}

/** A stroke of the refine brush. */
export interface RefineStroke {
  mode: 'keep' | 'remove';
  /** Brush radius as a fraction of the photo's long side. */
  radius: number;
  /** 0..1 of the photo's width and height. */
  points: { x: number; y: number }[];
}

/** POST /products/:documentId/reference/preview (in `data`): nothing is stored. */
export interface RefinePreview {
  /** The refined mask at most 1024 px, as a PNG data URL. */
  maskPreview: string;
  width: number;
  height: number;
  automatic: CutoutSummary;
  refined: MaskRefinement;
}

/** The refined mask measured (server: pipeline/jobs.ts SourceRefinement). */
export interface MaskRefinement {
  bbox: BBox;
  areaFraction: number;
  holes: number;
  parts: number;
  borderContact: number;
  /** Share of the photo whose product / background decision differs from the mask it started from. */
  changedFraction: number;
  agreement: number;
  refined: boolean;
  ms: number;
  /** Intersection over union with the automatic cutout. */
  agreementWithAutomatic: number;
}

/** POST /products/:documentId/reference/confirm (in `data`). */
export interface ConfirmResult {
  reference: ReferenceView;
  maskPreview: string;
}

/** POST /products/:documentId/reference/ai (in `data`). */
export interface SecondOpinion {
  aiMask: AiMask;
  automatic: CutoutSummary;
  maskPreview: string;
}
