/**
 * The whole product against its reference, view for view: a clean shot, or the known region of
 * a composite. The candidate's product is isolated by the same cutout as the source's.
 */
import { CUTOUT_REVIEW_THRESHOLD, cutout as runCutout, type CutoutResult } from '../cutout';
import { GRID, SHAPE_GRID, SHAPE_PRESENT, SHAPE_WIDE_CELLS, hammingHex, productFeatures, shapeWideRatio, unpackPresence, withFaintParts, type Fingerprint } from '../fingerprint';
import type { QcCheck } from '../qc';
import { downscaleRgba, type RawImage } from '../raw-image';
import { colorCheck } from './color';
import { scaleCheck, type ScaleExpectation } from './scale';
import { sharpnessCheck } from './sharpness';
import { alignShape, structureCheck, structureMetrics } from './structure';
import { unverified } from './verdict';

export type FidelityOptions = ScaleExpectation;

/** long side at which a candidate is cut out and measured (the acceptance suite's shots are this size) */
export const ANALYSIS_LONG_SIDE = 800;

const decodeB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/**
 * Compare a candidate image with the reference fingerprint (`candidateCut` is computed when not
 * given). A product that cannot be isolated is not compared: every check says why, unverified.
 */
export function checkFidelity(candidate: RawImage, candidateCut: CutoutResult | null | undefined, ref: Fingerprint, opts: FidelityOptions = {}): QcCheck[] {
  if (!candidateCut && Math.max(candidate.width, candidate.height) > ANALYSIS_LONG_SIDE) {
    // Every measure is taken on the product normalised to at most 256 px: a 2000 px candidate
    // measures the same at analysis size, at a fraction of the cost.
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
  const mask = withFaintParts(candidate, cut);
  const cand = productFeatures(candidate, { ...cut, mask });
  const nz = ref.selfNoise ?? { outline: 0, localDE: 0, missingCells: 0, phash: 0 };
  const checks: QcCheck[] = [
    // colour is read where the cutout itself is sure, as the reference's was (not the faint parts)
    colorCheck(ref.color, cand.color, { rgba: candidate.data, mask: cut.mask, width: candidate.width, height: candidate.height }),
    structureCheck({
      metrics: structureMetrics(decodeB64(ref.shape.mask), decodeB64(ref.thumb), cand.cov, cand.thumb, GRID),
      phash: hammingHex(ref.phash, cand.phash),
      blobsRef: ref.shape.blobs,
      blobsCandidate: cand.shape.blobs,
      noise: nz,
      shape: ref.shape.presence
        ? alignShape(unpackPresence(decodeB64(ref.shape.presence), SHAPE_GRID * SHAPE_GRID), SHAPE_GRID, cand.covWide, SHAPE_WIDE_CELLS, shapeWideRatio(cand.productLongSidePx), SHAPE_PRESENT)
        : undefined,
      // clean views and composites keep the source's orientation
      orientationKnown: true,
    }),
    sharpnessCheck(ref, cand),
  ];
  const scale = scaleCheck(ref, cand, candidate, opts);
  if (scale) checks.push(scale);
  if (cut.confidence < CUTOUT_REVIEW_THRESHOLD) {
    const why = cut.reasons.filter((r) => r.factor < 1).map((r) => r.message).join('; ') || 'the product does not stand out clearly from its background';
    checks.push({
      id: 'fidelity.isolation',
      status: 'unverified',
      value: Math.round(cut.confidence * 100) / 100,
      threshold: CUTOUT_REVIEW_THRESHOLD,
      unit: 'score',
      message: `The product could not be isolated with confidence in this image (${why}; confidence ${cut.confidence.toFixed(2)}, minimum ${CUTOUT_REVIEW_THRESHOLD}), so the measures above may be wrong: a person must compare it with the source by eye.`,
    });
  }
  return checks;
}
