/**
 * The whole product against its reference, view for view: a clean shot, or the known region of
 * a composite. The candidate's product is isolated by the same cutout as the source's.
 */
import { CUTOUT_REVIEW_THRESHOLD, cutout as runCutout, type CutoutResult } from '../cutout';
import { GRID, SHAPE_GRID, SHAPE_PRESENT, SHAPE_WIDE, SHAPE_WIDE_CELLS, hammingHex, productFeatures, unpackPresence, type Fingerprint } from '../fingerprint';
import { rgbToLab } from '../color';
import type { QcCheck } from '../qc';
import { downscaleRgba, type RawImage } from '../raw-image';
import { colorCheck } from './color';
import { scaleCheck, type ScaleExpectation } from './scale';
import { sharpnessCheck } from './sharpness';
import { alignShape, structureCheck, structureMetrics } from './structure';
import { unverified } from './verdict';

export type FidelityOptions = ScaleExpectation;

/** long side at which a candidate is cut out and measured */
const ANALYSIS_LONG_SIDE = 1024;

/** The wide grid's square over the plain one, in pixels (normalizeProduct frames a box's long side x 1.04 + 2). */
const wideRatio = (long: number) => (long * SHAPE_WIDE * 1.04 + 2) / (long * 1.04 + 2);

const decodeB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** Background lightness spread (L units) under which a background counts as plain (a studio white). */
const PLAIN_BACKGROUND_SPREAD = 4;

/**
 * On a plain background, everything that is not the background is product: a thin silver chain
 * fading into white is still there even where the cutout's thresholds let it go. Without this a
 * faint part reads as a missing part and moves the product's box (the reference's cutout, on the
 * source photo, kept it). Busy backgrounds keep the cutout as it is.
 */
function withFaintParts(img: RawImage, cut: CutoutResult): Uint8Array {
  if (cut.background.lightnessSpread > PLAIN_BACKGROUND_SPREAD) return cut.mask;
  const { data, width: W, height: H } = img;
  const out = new Uint8Array(cut.mask);
  const lab = [0, 0, 0], bgLab = [0, 0, 0];
  const [r, g, b] = cut.background.rgb.map((v) => Math.max(0, Math.min(255, Math.round(v))));
  rgbToLab(r, g, b, bgLab, 0);
  for (let i = 0; i < W * H; i++) {
    if (out[i] === 255) continue;
    rgbToLab(data[i * 4], data[i * 4 + 1], data[i * 4 + 2], lab, 0);
    const d = Math.hypot(lab[0] - bgLab[0], lab[1] - bgLab[1], lab[2] - bgLab[2]);
    // ΔE 4 is below what JPEG leaves on a flat white; ΔE 12 is clearly something there
    const a = Math.round(Math.max(0, Math.min(1, (d - 4) / 8)) * 255);
    if (a > out[i]) out[i] = a;
  }
  return out;
}

/**
 * Compare a candidate image with the reference fingerprint (`candidateCut` is computed when not
 * given). A product that cannot be isolated is not compared: every check says why, unverified.
 */
export function checkFidelity(candidate: RawImage, candidateCut: CutoutResult | null | undefined, ref: Fingerprint, opts: FidelityOptions = {}): QcCheck[] {
  if (!candidateCut && Math.max(candidate.width, candidate.height) > ANALYSIS_LONG_SIDE) {
    // Every measure is taken on the product normalised to at most 256 px: a 2000 px candidate
    // measures the same at analysis size, at a quarter of the cost.
    const { image, scale } = downscaleRgba(candidate, ANALYSIS_LONG_SIDE);
    return checkFidelity(image, null, ref, { ...opts, expectedLongSidePx: opts.expectedLongSidePx ? opts.expectedLongSidePx * scale : undefined });
  }
  const cut = candidateCut ?? runCutout(candidate);
  if (cut.areaFraction <= 0 || cut.bbox.width < 4 || cut.bbox.height < 4) {
    return unverified('No product could be told apart from the background in this image, so it was not compared with the source: a person must compare it by eye.', [
      'fidelity.color',
      'fidelity.structure',
      'fidelity.sharpness',
      'fidelity.scale',
    ]);
  }
  const cand = productFeatures(candidate, { ...cut, mask: withFaintParts(candidate, cut) });
  const nz = ref.selfNoise ?? { outline: 0, localDE: 0, missingCells: 0, phash: 0 };
  const checks: QcCheck[] = [
    colorCheck(ref.color, cand.color),
    structureCheck({
      metrics: structureMetrics(decodeB64(ref.shape.mask), decodeB64(ref.thumb), cand.cov, cand.thumb, GRID),
      phash: hammingHex(ref.phash, cand.phash),
      blobsRef: ref.shape.blobs,
      blobsCandidate: cand.shape.blobs,
      noise: nz,
      shape: ref.shape.presence
        ? alignShape(unpackPresence(decodeB64(ref.shape.presence), SHAPE_GRID * SHAPE_GRID), SHAPE_GRID, cand.covWide, SHAPE_WIDE_CELLS, wideRatio(cand.productLongSidePx), SHAPE_PRESENT)
        : undefined,
      // clean views and composites keep the source's orientation; a product cut by the frame has
      // the frame's extent on that axis, not its own shape
      orientationKnown: !(ref.shape.clipped?.x || ref.shape.clipped?.y || cand.shape.clipped?.x || cand.shape.clipped?.y),
    }),
    sharpnessCheck(ref, cand),
    scaleCheck(ref, cand, candidate, opts),
  ];
  if (cut.confidence < CUTOUT_REVIEW_THRESHOLD) {
    const why = cut.reasons.filter((r) => r.factor < 1).map((r) => r.message).join('; ') || 'the product does not stand out clearly from its background';
    checks.push({
      id: 'fidelity.isolation',
      status: 'unverified',
      value: Math.round(cut.confidence * 100) / 100,
      threshold: CUTOUT_REVIEW_THRESHOLD,
      message: `The product could not be isolated with confidence in this image (${why}; confidence ${cut.confidence.toFixed(2)}, minimum ${CUTOUT_REVIEW_THRESHOLD}), so the measures above may be wrong: a person must compare it with the source by eye.`,
    });
  }
  return checks;
}
