/**
 * The pipeline's composite jobs: what the plugin's services ask for, each one a single
 * worker-thread task, so an image is decoded once per job and its pixels never cross back
 * to the HTTP thread.
 */
import sharp from 'sharp';
import { intake, type IntakeOptions } from './intake';
import { cutout, CUTOUT_REVIEW_THRESHOLD, refineMask, cutoutWithMask, type CutoutResult, type MaskSummary, type RefineOptions, type RefineStroke } from './cutout';
import type { CutoutSummary } from '../../../shared/contracts/reference';
import { fingerprint as makeFingerprint, type Fingerprint } from './fingerprint';
import { fidelityChecks, needsSourcePixels, type CandidateCheckSpec } from './fidelity';
import { renderClean, renderDetail } from './shots';
import { technicalQc } from './qc-technical';
import { summarizeQc, type QcCheck, type QcStatus } from './qc';
import { deliveryPack } from './delivery';
import { labelXmpOf, xmpOf } from './source-label';
import { composeOnScene, type Placement } from './composite';
import { renderScene, sceneSizeFor, type Scene, type SceneKind } from './scenes';
import { renderSizeGuide, type SizeGuideDimensions } from './size-guide';
import { sceneTake, sceneVaries } from './variation';
import { checkUpscale } from './qc-upscale';
import type { BBox, RawImage, RawMask } from './raw-image';

export type { CutoutSummary } from '../../../shared/contracts/reference';

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

const intakeSummary = (r: Awaited<ReturnType<typeof intake>>): SourceAnalysis['intake'] => ({
  format: r.format,
  mime: r.mime,
  width: r.width,
  height: r.height,
  hasAlpha: r.hasAlpha,
  sha256: r.sha256,
  bytes: r.bytes,
});

async function cutoutPreview(working: { data: Uint8Array; width: number; height: number }, c: CutoutResult): Promise<Buffer> {
  const rgba = Buffer.from(working.data);
  for (let i = 0, p = 3; i < c.mask.length; i++, p += 4) rgba[p] = Math.round((rgba[p] * c.mask[i]) / 255);
  return sharp(rgba, { raw: { width: working.width, height: working.height, channels: 4 } })
    .resize({ width: 1024, height: 1024, fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer();
}

/** A mask as an 8-bit greyscale PNG (255 = product), the form it is stored in. */
export async function encodeMaskPng(mask: RawMask): Promise<Buffer> {
  return sharp(Buffer.from(mask.data.buffer, mask.data.byteOffset, mask.data.byteLength), { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** A stored mask PNG back to pixels: its first channel, or its alpha when it has one (a cutout). */
export async function decodeMaskPng(png: Buffer | Uint8Array): Promise<RawMask> {
  const img = sharp(Buffer.from(png));
  const meta = await img.metadata();
  const { data, info } = await (meta.hasAlpha ? img.ensureAlpha().extractChannel(3) : img.extractChannel(0)).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/** The source's cutout: the automatic one, or the one a person confirmed (mask PNG) in its place. */
async function sourceCutout(working: RawImage, maskPng?: Buffer | Uint8Array | null): Promise<CutoutResult> {
  const c = cutout(working);
  return maskPng ? cutoutWithMask(c, await decodeMaskPng(maskPng)) : c;
}

/**
 * Intake, cutout and reference fingerprint of a product's source photo. With a confirmed mask
 * (PNG), the fingerprint is made from it instead of the automatic cutout, and the analysis no
 * longer asks for a review (a person made the mask); `cutout.confidence` stays the automatic one.
 */
export async function analyzeSource(bytes: Buffer | Uint8Array, limits: IntakeOptions = {}, maskPng?: Buffer | Uint8Array | null): Promise<SourceAnalysis> {
  const source = await intake(bytes, limits);
  const c = await sourceCutout(source.working, maskPng);
  const fp = await makeFingerprint(source.working, c, { sha256: source.sha256 });
  return {
    intake: intakeSummary(source),
    warnings: source.warnings,
    cutout: summarize(c),
    needsReview: !maskPng && c.confidence < CUTOUT_REVIEW_THRESHOLD,
    fingerprint: fp,
    cutoutPng: await cutoutPreview(source.working, c),
  };
}

export interface SourceRefinement {
  /** The automatic cutout of the source (what the strokes correct). */
  automatic: CutoutSummary;
  refined: MaskSummary & { changedFraction: number; agreement: number; refined: boolean; ms: number; agreementWithAutomatic: number };
  /** The refined mask at the source's size, greyscale PNG (255 = product): what a confirmation stores. */
  maskPng: Buffer;
  /** The same mask at most 1024 px, for the workspace's preview. */
  previewPng: Buffer;
  width: number;
  height: number;
}

/**
 * The source's cutout refined with an editor's keep / remove strokes (grabCut, see
 * cutout/refine.ts). `initialMaskPng` starts from another mask (an AI background remover's)
 * instead of the automatic cutout.
 */
export async function refineSource(
  bytes: Buffer | Uint8Array,
  strokes: RefineStroke[],
  limits: IntakeOptions = {},
  options: RefineOptions & { initialMaskPng?: Buffer | Uint8Array | null } = {}
): Promise<SourceRefinement> {
  const source = await intake(bytes, limits);
  const auto = cutout(source.working);
  const start = options.initialMaskPng ? cutoutWithMask(auto, await decodeMaskPng(options.initialMaskPng)) : auto;
  const r = await refineMask(source.working, start.mask, strokes, options);
  const { mask, width, height, ...summary } = r;
  const raw = { data: mask, width, height };
  let inter = 0, union = 0;
  for (let i = 0; i < mask.length; i++) {
    const a = mask[i] >= 128, b = auto.mask[i] >= 128;
    if (a && b) inter++;
    if (a || b) union++;
  }
  const agreementWithAutomatic = union ? Math.round((inter / union) * 1e4) / 1e4 : 1;
  const maskPng = await encodeMaskPng(raw);
  const previewPng = await sharp(maskPng).resize({ width: 1024, height: 1024, fit: 'inside', withoutEnlargement: true }).png().toBuffer();
  return { automatic: summarize(auto), refined: { ...summary, agreementWithAutomatic }, maskPng, previewPng, width, height };
}

export interface LocalShotSpec {
  role: 'clean' | 'detail' | 'model' | 'lifestyle' | 'size';
  aspectRatio: string;
  minLongEdge: number;
  fill?: number | null;
  /** For model and lifestyle: the default scene to draw, or an editor's own scene photo. */
  scene?: { kind: SceneKind } | { image: Buffer | Uint8Array; anchor: { x: number; y: number }; angle: number; pxPerMm: number };
  productLongSideMm?: number;
  /** For the size guide: the product record's category and millimetres (its only source of scale). */
  category?: string | null;
  dimensions?: SizeGuideDimensions | null;
  /** Which regeneration this is (0: the first shot): a default scene gives another take of the placement for each. */
  take?: number;
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
  productBox?: BBox;
  /** The source region the shot shows (close-ups). */
  sourceRegion?: BBox;
  /** How much the source's pixels were enlarged to make the shot. */
  enlarged: number;
  /** False when regenerating cannot give another image: a clean or close-up shot, or an editor's own scene photo. */
  varies: boolean;
}

async function sceneFor(spec: LocalShotSpec): Promise<Scene> {
  const size = sceneSizeFor(spec.aspectRatio, Math.max(spec.minLongEdge, 1000));
  if (!spec.scene || 'kind' in spec.scene) {
    const drawn = await renderScene((spec.scene as { kind: SceneKind } | undefined)?.kind ?? 'surface', size.width, size.height, { productLongSideMm: spec.productLongSideMm ?? 40 });
    return sceneTake(drawn, spec.take ?? 0);
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
export async function makeLocalShot(sourceBytes: Buffer | Uint8Array, spec: LocalShotSpec, limits: IntakeOptions = {}, maskPng?: Buffer | Uint8Array | null): Promise<LocalShot> {
  const source = await intake(sourceBytes, limits);
  // A confirmed mask is the product's outline: shots are cut with it, not with a fresh guess.
  const c = await sourceCutout(source.working, maskPng);
  if (spec.role === 'clean' || spec.role === 'detail') {
    const shot =
      spec.role === 'clean'
        ? await renderClean(source.working, c, { size: spec.minLongEdge, fill: spec.fill ?? undefined, format: 'jpeg' })
        : // The close-up keeps the photo's own surface: it is the source's pixels, only nearer.
          await renderDetail(source.working, c, { aspect: spec.aspectRatio, minLongEdge: spec.minLongEdge, format: 'jpeg', background: 'original' });
    return {
      buffer: shot.buffer,
      width: shot.width,
      height: shot.height,
      format: shot.format,
      mime: shot.format === 'png' ? 'image/png' : 'image/jpeg',
      warnings: shot.warnings,
      composite: false,
      sourceRegion: spec.role === 'detail' ? shot.sourceBox : undefined,
      enlarged: shot.scale,
      varies: false,
    };
  }
  if (spec.role === 'size') {
    const size = sceneSizeFor(spec.aspectRatio, Math.max(spec.minLongEdge, 1000));
    const guide = await renderSizeGuide(source.working, c, { ...size, category: spec.category, dimensions: spec.dimensions });
    return {
      buffer: guide.buffer,
      width: guide.width,
      height: guide.height,
      format: 'jpeg',
      mime: 'image/jpeg',
      warnings: guide.warnings,
      // the product's own pixels at a known placement: checked there, like a composite, but no scene is drawn
      composite: false,
      placement: guide.placement,
      productBox: { x: guide.placement.left, y: guide.placement.top, width: guide.placement.width, height: guide.placement.height },
      enlarged: guide.placement.scale,
      // drawn from the record's millimetres: the same record always gives the same guide
      varies: false,
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
    varies: sceneVaries(scene),
    enlarged: result.placement.scale,
    productBox: { x: result.placement.left, y: result.placement.top, width: result.placement.width, height: result.placement.height },
  };
}


export interface CandidateCheck {
  intake: SourceAnalysis['intake'];
  checks: QcCheck[];
  qcStatus: QcStatus;
}

/**
 * A generated output's intake, before it is stored: format, size and pixel limits, a decodable,
 * non-blank image. Only the verdict comes back (no pixels), so securing an output stays cheap.
 */
export async function inspectOutput(bytes: Buffer | Uint8Array, limits: IntakeOptions = {}): Promise<SourceAnalysis['intake']> {
  return intakeSummary(await intake(bytes, limits));
}

/**
 * A shot made from the source cannot be sharper than the source: when the technical check
 * finds it soft and the source photo is just as soft, that is the photo's limit (a warning
 * asking for a sharper photo), not a defect of the shot.
 */
async function relateSharpnessToSource(
  checks: QcCheck[],
  sourceBytes: Buffer | Uint8Array,
  role: string,
  region?: BBox | null,
  size?: { width: number; height: number }
) {
  const i = checks.findIndex((c) => c.id === 'tech.sharpness' && c.status === 'fail');
  if (i < 0) return;
  // A close-up is compared with its source region enlarged the same way: the best its pixels allow.
  const reference =
    region && size
      ? await sharp(sourceBytes).rotate().extract({ left: Math.round(region.x), top: Math.round(region.y), width: Math.round(region.width), height: Math.round(region.height) }).resize(size.width, size.height, { kernel: 'lanczos3' }).jpeg({ quality: 92 }).toBuffer()
      : Buffer.from(sourceBytes);
  const source = (await technicalQc(reference, { role })).find((c) => c.id === 'tech.sharpness');
  const shotValue = Number(checks[i].value);
  const sourceValue = Number(source?.value);
  if (!Number.isFinite(shotValue) || !Number.isFinite(sourceValue) || shotValue < 0.8 * sourceValue) return;
  checks[i] = {
    ...checks[i],
    status: 'warn',
    message: `The image is soft, but no softer than the source photo's pixels allow (sharpness ${shotValue.toFixed(0)}, source ${sourceValue.toFixed(0)}): the source has too few pixels or little detail; upload a sharper, larger photo for crisper shots.`,
  };
}

/** Every generated or imported image: intake, technical QC and fidelity against the source. */
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
  const source = sourceBytes && needsSourcePixels(spec) ? (await intake(sourceBytes, { ...limits, minShortSide: 1 })).working : null;
  checks.push(...(await fidelityChecks(candidate.working, spec, spec.reference, source)));
  const upscale = checkUpscale(spec.upscaleFactor);
  if (upscale) checks.push(upscale);
  if (sourceBytes) await relateSharpnessToSource(checks, sourceBytes, spec.role, spec.sourceRegion, { width: candidate.width, height: candidate.height });
  return {
    intake: intakeSummary(candidate),
    checks,
    qcStatus: summarizeQc(checks),
  };
}

/** Storefront renditions, placeholder and focal point for a stored asset (decoded once). */
export async function deliverAsset(bytes: Buffer | Uint8Array) {
  // Every rendition says what the stored file says about how it was made.
  const xmp = labelXmpOf(await xmpOf(bytes));
  const pack = await deliveryPack(Buffer.from(bytes), { channels: [], xmp });
  return {
    width: pack.width,
    height: pack.height,
    focalPoint: pack.focalPoint,
    thumbhash: pack.thumbhash,
    renditions: pack.renditions,
  };
}
