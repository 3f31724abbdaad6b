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
import { deltaE2000, rgbToLab } from './color';

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

/** Intake, cutout and reference fingerprint of a product's source photo. */
export async function analyzeSource(bytes: Buffer | Uint8Array, limits: IntakeOptions = {}): Promise<SourceAnalysis> {
  const source = await intake(bytes, limits);
  const c = cutout(source.working);
  const fp = await makeFingerprint(source.working, c, { sha256: source.sha256 });
  return {
    intake: intakeSummary(source),
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

/**
 * A generated output's intake, before it is stored: format, size and pixel limits, a decodable,
 * non-blank image. Only the verdict comes back (no pixels), so securing an output stays cheap.
 */
export async function inspectOutput(bytes: Buffer | Uint8Array, limits: IntakeOptions = {}): Promise<SourceAnalysis['intake']> {
  return intakeSummary(await intake(bytes, limits));
}

/** Every generated or imported image: intake, technical QC and fidelity against the source. */
/** Both images reduced to the same small grid: what a close-up must keep of its source region. */
async function sameGrid(img: RawImage, w: number, h: number): Promise<Uint8Array> {
  const raw = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } })
    .flatten({ background: '#ffffff' })
    .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return new Uint8Array(raw);
}

export const REGION_LIMITS = { colorWarn: 3, colorFail: 6, nccWarn: 0.93, nccFail: 0.85 } as const;

/**
 * A close-up shows a known region of the source at the same framing, so it is compared with
 * that region pixel for pixel on a small grid: median CIEDE2000 for color, correlation of
 * lightness for structure (a stone added, removed or moved breaks it).
 */
async function compareRegion(candidate: RawImage, region: RawImage): Promise<QcCheck[]> {
  const w = 96;
  const h = Math.max(8, Math.round((w * region.height) / region.width));
  const [a, b] = await Promise.all([sameGrid(candidate, w, h), sameGrid(region, w, h)]);
  const n = w * h;
  const des = new Float32Array(n);
  const la = new Float32Array(n);
  const lb = new Float32Array(n);
  const labA = [0, 0, 0];
  const labB = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    rgbToLab(a[i * 3], a[i * 3 + 1], a[i * 3 + 2], labA);
    rgbToLab(b[i * 3], b[i * 3 + 1], b[i * 3 + 2], labB);
    des[i] = deltaE2000({ l: labA[0], a: labA[1], b: labA[2] }, { l: labB[0], a: labB[1], b: labB[2] });
    la[i] = labA[0];
    lb[i] = labB[0];
  }
  // Colour is judged on the piece, not the surface around it: pixels that stand out from the
  // region's typical lightness, or carry colour, in the source.
  const labsA = new Float32Array(n * 3);
  const labsB = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgbToLab(a[i * 3], a[i * 3 + 1], a[i * 3 + 2], labsA, i * 3);
    rgbToLab(b[i * 3], b[i * 3 + 1], b[i * 3 + 2], labsB, i * 3);
  }
  const medianL = Float32Array.from(lb).sort()[Math.floor(n / 2)];
  let count = 0;
  const sumA = [0, 0, 0];
  const sumB = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const chroma = Math.hypot(labsB[i * 3 + 1], labsB[i * 3 + 2]);
    if (Math.abs(lb[i] - medianL) <= 10 && chroma <= 12) continue;
    count++;
    for (let k = 0; k < 3; k++) {
      sumA[k] += labsA[i * 3 + k];
      sumB[k] += labsB[i * 3 + k];
    }
  }
  const pieceDE =
    count >= n * 0.05
      ? deltaE2000({ l: sumA[0] / count, a: sumA[1] / count, b: sumA[2] / count }, { l: sumB[0] / count, a: sumB[1] / count, b: sumB[2] / count })
      : 0;
  const median = Math.max(Float32Array.from(des).sort()[Math.floor(n / 2)], pieceDE);
  const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = mean(la);
  const mb = mean(lb);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (la[i] - ma) * (lb[i] - mb);
    da += (la[i] - ma) ** 2;
    db += (lb[i] - mb) ** 2;
  }
  const ncc = da && db ? num / Math.sqrt(da * db) : 1;
  const L = REGION_LIMITS;
  const colorStatus = median > L.colorFail ? 'fail' : median > L.colorWarn ? 'warn' : 'pass';
  const structStatus = ncc < L.nccFail ? 'fail' : ncc < L.nccWarn ? 'warn' : 'pass';
  return [
    {
      id: 'fidelity.color',
      status: colorStatus,
      value: Math.round(median * 100) / 100,
      threshold: L.colorFail,
      message:
        colorStatus === 'pass'
          ? `Colour matches the same region of the source (median ΔE2000 ${median.toFixed(1)}, limit ${L.colorFail}).`
          : `The close-up's colour differs from the same region of the source: median ΔE2000 ${median.toFixed(1)} (limit ${L.colorFail}). Metal or stones may have been recoloured.`,
    },
    {
      id: 'fidelity.structure',
      status: structStatus,
      value: Math.round(ncc * 1000) / 1000,
      threshold: L.nccFail,
      message:
        structStatus === 'pass'
          ? `The close-up shows the same detail as the source region (correlation ${ncc.toFixed(2)}, minimum ${L.nccFail}).`
          : `The close-up does not match the same region of the source (correlation ${ncc.toFixed(2)}, minimum ${L.nccFail}): a stone or part may have been added, removed or moved.`,
    },
    {
      id: 'fidelity.scale',
      status: 'pass',
      value: null,
      threshold: null,
      message: 'A close-up of a known region of the source: its scale is that of the source.',
    },
  ] as QcCheck[];
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
  region?: Box | null,
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
    return compareRegion(working, cropRaw(source.working, spec.sourceRegion));
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
  if (sourceBytes) await relateSharpnessToSource(checks, sourceBytes, spec.role, spec.sourceRegion, { width: candidate.width, height: candidate.height });
  return {
    intake: intakeSummary(candidate),
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
