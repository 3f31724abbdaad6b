/** Sharpness: has the product lost detail (a blurred chain, softened facets)? */
import type { QcCheck } from '../qc';
import { SHARPNESS_SCALES } from '../fingerprint';
import { FIDELITY_THRESHOLDS as T } from './limits';
import { grade, r2 } from './verdict';

/** Edge steepness compared at the largest scale both products have pixels for. */
export function sharpnessCheck(ref: { productLongSidePx: number; sharpness: Record<string, number> }, cand: { productLongSidePx: number; sharpness: Record<string, number> }): QcCheck {
  const common = Math.min(ref.productLongSidePx, cand.productLongSidePx);
  let scaleKey: number = SHARPNESS_SCALES[0];
  for (const s of SHARPNESS_SCALES) if (s <= common) scaleKey = s;
  const refS = ref.sharpness[String(scaleKey)] ?? 0;
  const candS = cand.sharpness[String(scaleKey)] ?? 0;
  const ratio = refS > 0 ? candS / refS : 1;
  const status = grade(ratio, T.SHARPNESS_WARN, T.SHARPNESS_FAIL, false);
  return {
    id: 'fidelity.sharpness',
    status,
    value: r2(ratio),
    threshold: T.SHARPNESS_FAIL,
    unit: 'fraction',
    metrics: { scale: scaleKey, reference: refS, candidate: candS },
    message:
      status === 'pass'
        ? `Detail is as sharp as in the source (${(ratio * 100).toFixed(0)}% of its edge steepness, minimum ${(T.SHARPNESS_FAIL * 100).toFixed(0)}%).`
        : `The product looks ${status === 'fail' ? 'blurred' : 'softer'}: ${(ratio * 100).toFixed(0)}% of the source's edge steepness (minimum ${(T.SHARPNESS_FAIL * 100).toFixed(0)}%). Chains, engraving and stone facets lose definition.`,
  };
}
