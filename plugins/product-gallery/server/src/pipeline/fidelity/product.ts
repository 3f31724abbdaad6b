/**
 * The whole product against its reference, view for view: a clean shot, or the known region of
 * a composite. The candidate's product is isolated by the same cutout as the source's.
 */
import { CUTOUT_REVIEW_THRESHOLD, cutout as runCutout, type CutoutResult } from '../cutout';
import { GRID, hammingHex, productFeatures, type Fingerprint } from '../fingerprint';
import type { QcCheck } from '../qc';
import type { RawImage } from '../raw-image';
import { colorCheck } from './color';
import { scaleCheck, type ScaleExpectation } from './scale';
import { sharpnessCheck } from './sharpness';
import { structureCheck, structureMetrics } from './structure';
import { unverified } from './verdict';

export type FidelityOptions = ScaleExpectation;

const decodeB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/**
 * Compare a candidate image with the reference fingerprint (`candidateCut` is computed when not
 * given). A product that cannot be isolated is not compared: every check says why, unverified.
 */
export function checkFidelity(candidate: RawImage, candidateCut: CutoutResult | null | undefined, ref: Fingerprint, opts: FidelityOptions = {}): QcCheck[] {
  const cut = candidateCut ?? runCutout(candidate);
  if (cut.areaFraction <= 0 || cut.bbox.width < 4 || cut.bbox.height < 4) {
    return unverified('No product could be told apart from the background in this image, so it was not compared with the source: a person must compare it by eye.', [
      'fidelity.color',
      'fidelity.structure',
      'fidelity.sharpness',
      'fidelity.scale',
    ]);
  }
  const cand = productFeatures(candidate, cut);
  const nz = ref.selfNoise ?? { outline: 0, localDE: 0, missingCells: 0, phash: 0 };
  const checks: QcCheck[] = [
    colorCheck(ref.color, cand.color),
    structureCheck({
      metrics: structureMetrics(decodeB64(ref.shape.mask), decodeB64(ref.thumb), cand.cov, cand.thumb, GRID),
      phash: hammingHex(ref.phash, cand.phash),
      blobsRef: ref.shape.blobs,
      blobsCandidate: cand.shape.blobs,
      noise: nz,
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
