/**
 * The pipeline's composite jobs: what the plugin's services ask for, each one a single
 * worker-thread task, so an image is decoded once per job and its pixels never cross back
 * to the HTTP thread.
 */
import sharp from 'sharp';
import { intake, type IntakeOptions } from './intake';
import { cutout, CUTOUT_REVIEW_THRESHOLD, type CutoutResult } from './cutout';
import { fingerprint as makeFingerprint, type Fingerprint } from './fingerprint';
import { checkFidelity } from './fidelity';
import { renderClean, renderDetail } from './shots';
import { technicalQc } from './qc-technical';
import { summarizeQc, type QcCheck, type QcStatus } from './qc';
import { deliveryPack } from './delivery';
import { composeOnScene, type Placement } from './composite';
import { renderScene, sceneSizeFor, type Scene, type SceneKind } from './scenes';
import type { RawImage } from './raw-image';

export interface CutoutSummary {
  bbox: CutoutResult['bbox'];
  areaFraction: number;
  holes: number;
  parts: number;
  borderContact: number;
  confidence: number;
  reasons: CutoutResult['reasons'];
}

export interface SourceAnalysis {
  intake: { format: string; mime: string; width: number; height: number; hasAlpha: boolean; sha256: string; bytes: number };
  warnings: { code: string; message: string }[];
  cutout: CutoutSummary;
  /** The photo needs a person's eye before anything is generated from it. */
  needsReview: boolean;
  fingerprint: Fingerprint;
  /** The cutout as a PNG (product opaque, background transparent), for the workspace. */
  cutoutPng: Buffer;
}

const summarize = (c: CutoutResult): CutoutSummary => ({
  bbox: c.bbox,
  areaFraction: c.areaFraction,
  holes: c.holes,
  parts: c.parts,
  borderContact: c.borderContact,
  confidence: c.confidence,
  reasons: c.reasons,
});

async function cutoutPreview(working: { data: Uint8Array; width: number; height: number }, c: CutoutResult): Promise<Buffer> {
  const rgba = Buffer.from(working.data);
  for (let i = 0, p = 3; i < c.mask.length; i++, p += 4) rgba[p] = Math.round((rgba[p] * c.mask[i]) / 255);
  return sharp(rgba, { raw: { width: working.width, height: working.height, channels: 4 } })
    .resize({ width: 1024, height: 1024, fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
}

/** Intake, cutout and reference fingerprint of a product's source photo. */
export async function analyzeSource(bytes: Buffer | Uint8Array, limits: IntakeOptions = {}): Promise<SourceAnalysis> {
  const source = await intake(bytes, limits);
  const c = cutout(source.working);
  const fp = await makeFingerprint(source.working, c, { sha256: source.sha256 });
  return {
    intake: {
      format: source.format,
      mime: source.mime,
      width: source.width,
      height: source.height,
      hasAlpha: source.hasAlpha,
      sha256: source.sha256,
      bytes: source.bytes,
    },
    warnings: source.warnings,
    cutout: summarize(c),
    needsReview: c.confidence < CUTOUT_REVIEW_THRESHOLD,
    fingerprint: fp,
    cutoutPng: await cutoutPreview(source.working, c),
  };
}

export interface LocalShotSpec {
  role: 'clean' | 'detail' | 'model' | 'lifestyle';
  aspectRatio: string;
  minLongEdge: number;
  fill?: number | null;
  /** For model and lifestyle: the default scene to draw, or an editor's own scene photo. */
  scene?: { kind: SceneKind } | { image: Buffer | Uint8Array; anchor: { x: number; y: number }; angle: number; pxPerMm: number };
  productLongSideMm?: number;
}

export interface LocalShot {
  buffer: Buffer;
  width: number;
  height: number;
  format: string;
  mime: string;
  warnings: { code: string; message: string }[];
  composite: boolean;
  placement?: Placement;
  sceneKind?: string;
  /** Where the product is in the shot (composites). */
  productBox?: Box;
  /** The source region the shot shows (close-ups). */
  sourceRegion?: Box;
}

async function sceneFor(spec: LocalShotSpec): Promise<Scene> {
  const size = sceneSizeFor(spec.aspectRatio, Math.max(spec.minLongEdge, 1000));
  if (!spec.scene || 'kind' in spec.scene) {
    return renderScene((spec.scene as { kind: SceneKind } | undefined)?.kind ?? 'surface', size.width, size.height);
  }
  // An editor's scene photo: anchor in percent of the photo, scale in px/mm at its own size.
  const meta = await sharp(spec.scene.image).metadata();
  const scale = Math.min(size.width / (meta.width ?? size.width), size.height / (meta.height ?? size.height));
  const width = Math.round((meta.width ?? size.width) * scale);
  const height = Math.round((meta.height ?? size.height) * scale);
  return {
    kind: 'custom',
    image: await sharp(spec.scene.image).rotate().resize(width, height).png().toBuffer(),
    width,
    height,
    anchor: { x: (spec.scene.anchor.x / 100) * width, y: (spec.scene.anchor.y / 100) * height },
    angle: spec.scene.angle,
    pxPerMm: spec.scene.pxPerMm * scale,
  };
}

/** A deterministic shot from the source: clean and detail by the pipeline, model and lifestyle by compositing. */
export async function makeLocalShot(sourceBytes: Buffer | Uint8Array, spec: LocalShotSpec, limits: IntakeOptions = {}): Promise<LocalShot> {
  const source = await intake(sourceBytes, limits);
  const c = cutout(source.working);
  if (spec.role === 'clean' || spec.role === 'detail') {
    const shot =
      spec.role === 'clean'
        ? await renderClean(source.working, c, { size: spec.minLongEdge, fill: spec.fill ?? undefined, format: 'jpeg' })
        : await renderDetail(source.working, c, { aspect: spec.aspectRatio, minLongEdge: spec.minLongEdge, format: 'jpeg' });
    return {
      buffer: shot.buffer,
      width: shot.width,
      height: shot.height,
      format: shot.format,
      mime: shot.format === 'png' ? 'image/png' : 'image/jpeg',
      warnings: shot.warnings,
      composite: false,
      sourceRegion: spec.role === 'detail' ? shot.sourceBox : undefined,
    };
  }
  const scene = await sceneFor(spec);
  const result = await composeOnScene(source.working, c, scene, spec.productLongSideMm ?? 40);
  return {
    buffer: result.buffer,
    width: result.width,
    height: result.height,
    format: 'jpeg',
    mime: 'image/jpeg',
    warnings: result.warnings,
    composite: true,
    placement: result.placement,
    sceneKind: scene.kind,
    productBox: { x: result.placement.left, y: result.placement.top, width: result.placement.width, height: result.placement.height },
  };
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CandidateCheckSpec {
  role: string;
  aspectRatio?: string | null;
  minLongEdge?: number | null;
  reference?: Fingerprint | null;
  /** Known size of the product in the candidate (composites), for the scale check. */
  expectedProductLongSidePx?: number | null;
  /** Where the product sits in the candidate, when known (composites): only that region is compared. */
  productBox?: Box | null;
  /** The source region a close-up shows (local detail shots): compared with that region of the source. */
  sourceRegion?: Box | null;
}

const clampBox = (b: Box, w: number, h: number, margin = 0): Box => {
  const mx = Math.round(b.width * margin);
  const my = Math.round(b.height * margin);
  const x = Math.max(0, Math.floor(b.x - mx));
  const y = Math.max(0, Math.floor(b.y - my));
  return { x, y, width: Math.max(1, Math.min(w, Math.ceil(b.x + b.width + mx)) - x), height: Math.max(1, Math.min(h, Math.ceil(b.y + b.height + my)) - y) };
};

function cropRaw(img: RawImage, box: Box): RawImage {
  const b = clampBox(box, img.width, img.height);
  const out = new Uint8Array(b.width * b.height * 4);
  for (let row = 0; row < b.height; row++) {
    const start = ((b.y + row) * img.width + b.x) * 4;
    out.set(img.data.subarray(start, start + b.width * 4), row * b.width * 4);
  }
  return { data: out, width: b.width, height: b.height, channels: 4 };
}

/** In a scene with no known product position, the product cannot be isolated reliably: say so instead of guessing. */
const unlocated = (checks: QcCheck[]): QcCheck[] =>
  checks.map((c) =>
    c.status === 'fail'
      ? {
          ...c,
          status: 'warn',
          message: `${c.message} The product could not be isolated in this scene with confidence, so this was not decided automatically: compare it with the source by eye.`,
        }
      : c
  );

export interface CandidateCheck {
  intake: SourceAnalysis['intake'];
  checks: QcCheck[];
  qcStatus: QcStatus;
}

/** Every generated or imported image: intake, technical QC and fidelity against the source. */
async function fidelityChecks(
  working: RawImage,
  spec: CandidateCheckSpec,
  reference: Fingerprint,
  sourceBytes: Buffer | Uint8Array | undefined,
  limits: IntakeOptions
): Promise<QcCheck[]> {
  if (spec.productBox) {
    // A composite: the product's place is known, compare just that region.
    const region = cropRaw(working, clampBox(spec.productBox, working.width, working.height, 0.1));
    return checkFidelity(region, cutout(region), reference, { role: spec.role, expectedLongSidePx: spec.expectedProductLongSidePx ?? undefined }) as QcCheck[];
  }
  if (spec.sourceRegion && sourceBytes) {
    // A close-up: compare it with the same region of the source, at the same framing.
    const source = await intake(sourceBytes, { ...limits, minShortSide: 1 });
    const region = cropRaw(source.working, spec.sourceRegion);
    const regionRef = await makeFingerprint(region, cutout(region), { sha256: source.sha256 });
    return checkFidelity(working, cutout(working), regionRef, { role: 'clean', sameFraming: true }) as QcCheck[];
  }
  const c = cutout(working);
  const checks = checkFidelity(working, c, reference, { role: spec.role, expectedLongSidePx: spec.expectedProductLongSidePx ?? undefined }) as QcCheck[];
  const scene = spec.role === 'model' || spec.role === 'lifestyle';
  return scene && c.confidence < CUTOUT_REVIEW_THRESHOLD ? unlocated(checks) : checks;
}

export async function checkCandidate(
  bytes: Buffer | Uint8Array,
  spec: CandidateCheckSpec,
  limits: IntakeOptions = {},
  sourceBytes?: Buffer | Uint8Array
): Promise<CandidateCheck> {
  const candidate = await intake(bytes, limits);
  const checks: QcCheck[] = await technicalQc(Buffer.from(bytes), {
    role: spec.role,
    minLongEdge: spec.minLongEdge ?? undefined,
    aspect: spec.aspectRatio ?? undefined,
  });
  if (spec.reference) {
    checks.push(...(await fidelityChecks(candidate.working, spec, spec.reference, sourceBytes, limits)));
  } else {
    checks.push({
      id: 'fidelity.reference',
      status: 'warn',
      value: null,
      threshold: null,
      message: 'The product has no analysed source photo, so this image was not compared with it. Check it by eye.',
    } as QcCheck);
  }
  return {
    intake: {
      format: candidate.format,
      mime: candidate.mime,
      width: candidate.width,
      height: candidate.height,
      hasAlpha: candidate.hasAlpha,
      sha256: candidate.sha256,
      bytes: candidate.bytes,
    },
    checks,
    qcStatus: summarizeQc(checks),
  };
}

/** Storefront renditions, placeholder and focal point for a stored asset (decoded once). */
export async function deliverAsset(bytes: Buffer | Uint8Array) {
  const pack = await deliveryPack(Buffer.from(bytes), { channels: [] });
  return {
    width: pack.width,
    height: pack.height,
    focalPoint: pack.focalPoint,
    thumbhash: pack.thumbhash,
    renditions: pack.renditions,
  };
}
