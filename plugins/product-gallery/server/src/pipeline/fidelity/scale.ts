/** Scale: is the product the size it should be in this image? */
import type { Fingerprint, ProductFeatures } from '../fingerprint';
import type { QcCheck } from '../qc';
import { FIDELITY_THRESHOLDS as T } from './limits';
import { grade, r2 } from './verdict';

export interface ScaleExpectation {
  /** expected product long side in candidate pixels (e.g. from mm x px/mm of a scene) */
  expectedLongSidePx?: number;
  /** expected product long side as a fraction of the candidate's long side */
  expectedLongSideFraction?: number;
  /** a clean view framed at this fill (the framed box's long side / the image's long side) */
  expectedFill?: number;
  /** the candidate claims the same framing as the reference: compare the product's size in the frame */
  sameFraming?: boolean;
  /**
   * The product was laid into this image by our own generator at a box it chose: with no size
   * expected besides, its size is the box's by construction, and there is no scale to check.
   */
  placedByUs?: boolean;
}

export function scaleCheck(ref: Fingerprint, cand: ProductFeatures, size: { width: number; height: number }, opts: ScaleExpectation): QcCheck | null {
  const candLong = Math.max(size.width, size.height);
  let candLongFraction = cand.productLongSidePx / candLong;
  let expected: number | null = null;
  let basis = '';
  let axis = 'long side';
  if (opts.expectedLongSidePx && opts.expectedLongSidePx > 0) {
    expected = opts.expectedLongSidePx / candLong;
    basis = 'the expected size from its dimensions';
  } else if (opts.expectedLongSideFraction && opts.expectedLongSideFraction > 0) {
    expected = opts.expectedLongSideFraction;
    basis = 'the expected size from its dimensions';
  } else if (opts.expectedFill && opts.expectedFill > 0) {
    // The fill frames every pixel of the mask; the measure is the robust extent: the reference
    // says how the two relate for this product (thin chain ends make them differ).
    expected = opts.expectedFill * (ref.frameLongSidePx ? ref.productLongSidePx / ref.frameLongSidePx : 1);
    basis = `the framing its brief asks for (the product spans ${(opts.expectedFill * 100).toFixed(0)}% of the image)`;
  } else if (opts.sameFraming) {
    expected = ref.shape.longSideFraction;
    basis = 'the source photo (same framing)';
    // A product cut by the frame (a chain running off the top) has the frame's extent on that
    // axis, not its own: measure the size on the axis the frame does not cut, when there is one.
    const clip = ref.shape.clipped;
    if (clip && clip.x !== clip.y) {
      const refLong = Math.max(ref.width, ref.height);
      const useX = !clip.x;
      expected = (useX ? ref.shape.extent.width * ref.width : ref.shape.extent.height * ref.height) / refLong;
      candLongFraction = (useX ? cand.box.width : cand.box.height) / candLong;
      axis = useX ? 'width (the photo cuts its height)' : 'height (the photo cuts its width)';
    }
  }
  if (expected === null && opts.placedByUs) return null;
  if (expected === null) {
    // Nothing measured is not a pass: nobody said how big the product should be here.
    return {
      id: 'fidelity.scale',
      status: 'unverified',
      value: null,
      threshold: null,
      message: "Size not measured: neither the product's real dimensions nor the framing this image should have are known, so its size could not be compared with the source. A person must check that it looks the right size.",
    };
  }
  // robust extent (1st..99th percentile of product mass): area would not scale with size for thin chains
  const change = candLongFraction / expected - 1;
  const status = grade(Math.abs(change), T.SCALE_WARN, T.SCALE_FAIL);
  const pct = `${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}%`;
  return {
    id: 'fidelity.scale',
    status,
    value: r2(change),
    threshold: T.SCALE_FAIL,
    unit: 'change',
    metrics: { candidateLongSideFraction: Math.round(candLongFraction * 1e4) / 1e4, expectedLongSideFraction: Math.round(expected * 1e4) / 1e4, extentChange: r2(change) },
    message:
      status === 'pass'
        ? `Product size matches ${basis} (${pct} on its ${axis}, limit ±${(T.SCALE_FAIL * 100).toFixed(0)}%).`
        : `The product looks ${change > 0 ? 'larger' : 'smaller'} than ${basis}: ${pct} on its ${axis} (limit ±${(T.SCALE_FAIL * 100).toFixed(0)}%). Shoppers judge real size from this.`,
  };
}
