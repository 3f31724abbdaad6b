/**
 * Which comparison an image gets, from what is known about it:
 *   - a local composite (its placement is known): the source laid where it was placed, compared
 *     there; with only the product's box known, that box against the reference;
 *   - a close-up of a known source region: that region of the source, pixel for pixel;
 *   - a clean view: the isolated product against the reference;
 *   - anything else (a worn or styled scene, a close-up of an unknown region): the product must
 *     be found first (registration), then compared where it was found.
 * Nothing is downgraded by role: a measure that cannot decide says so ('unverified').
 */
import { placementRegistration, type Placement } from '../composite';
import { cutout } from '../cutout';
import type { Fingerprint } from '../fingerprint';
import type { QcCheck } from '../qc';
import { clampBox, cropRaw, resizePlaneBilinear, type BBox, type RawImage, type RawMask } from '../raw-image';
import { checkFidelity } from './product';
import { compareRegion } from './region';
import { registerProduct } from './registration';
import { compareScene } from './scene';
import { unverified } from './verdict';

export interface CandidateCheckSpec {
  role: string;
  aspectRatio?: string | null;
  minLongEdge?: number | null;
  reference?: Fingerprint | null;
  /**
   * A clean view's framing from its brief: the product's long side as a fraction of the image's
   * (renderClean's fill). The product's size in a clean view is judged against it.
   */
  fill?: number | null;
  /** Known size of the product in the candidate (composites), for the scale check. */
  expectedProductLongSidePx?: number | null;
  /**
   * How a local composite placed the source's product (its source box, placed box, angle and
   * scale): the source is laid exactly where it went and compared there, with no cutout of the scene.
   */
  placement?: Placement | null;
  /** Where the product sits in the candidate, when known (composites): only that region is compared. */
  productBox?: BBox | null;
  /** The source region a close-up shows (local detail shots): compared with that region of the source. */
  sourceRegion?: BBox | null;
  /**
   * The product's mask on the source photo as an editor confirmed it (same size as the source's
   * working image, or resized to it). Without it the source is cut out again.
   */
  sourceMask?: Uint8Array | RawMask | null;
  /** Real size of the product and the scene's scale, when known, for the scale of a scene. */
  productLongSideMm?: number | null;
  /**
   * The size the generator placed the product at was a category's typical size, not the record's
   * (no dimensions entered): it is not a known size, so the image's size cannot be judged.
   */
  assumedSize?: { longSideMm: number; category: string | null } | null;
  pxPerMm?: number | null;
  /** How much the image's pixels were enlarged from the source's (or the upscaler's), when known. */
  upscaleFactor?: number | null;
  /** The product's category and description: chains, cords and beads are judged by a person in scenes. */
  category?: string | null;
  description?: string | null;
}

export const NO_REFERENCE_MESSAGE = 'This product has no analysed source photo: nothing to compare with; a person must compare it by eye.';

/** The source's product mask at the working image's size: the confirmed one, or a fresh cutout. */
export function sourceMaskFor(source: RawImage, given?: Uint8Array | RawMask | null): Uint8Array {
  if (given) {
    const m = given instanceof Uint8Array ? { data: given, width: source.width, height: source.height } : given;
    if (m.data.length === m.width * m.height) {
      if (m.width === source.width && m.height === source.height) return m.data;
      return resizePlaneBilinear(m.data, m.width, m.height, source.width, source.height);
    }
  }
  return cutout(source).mask;
}

/** Whether the comparison needs the source's pixels (close-ups and scenes): the caller decodes them only then. */
export const needsSourcePixels = (spec: CandidateCheckSpec): boolean => Boolean(spec.reference) && (Boolean(spec.placement) || (!spec.productBox && (Boolean(spec.sourceRegion) || spec.role !== 'clean')));

/** Fidelity checks of a decoded candidate against the product's reference (and source pixels, when given). */
export async function fidelityChecks(candidate: RawImage, spec: CandidateCheckSpec, reference: Fingerprint | null | undefined, source?: RawImage | null): Promise<QcCheck[]> {
  if (!reference) return unverified(NO_REFERENCE_MESSAGE, ['fidelity.reference']);
  return withAssumedSize(await compared(candidate, spec, reference, source), spec.assumedSize);
}

/**
 * An assumed size is no size: what measured the placement against it (or passed the proportions
 * alone) cannot say the piece looks its real size, so the scale check asks a person. A stretch
 * found on the way still fails: that is wrong whatever the size.
 */
export function withAssumedSize(checks: QcCheck[], assumed: CandidateCheckSpec['assumedSize']): QcCheck[] {
  if (!assumed) return checks;
  const what = assumed.category ? `a typical ${assumed.category}` : 'a typical piece';
  const message = `Size not known: the product has no dimensions in its record, so this image shows it at the size of ${what} (${assumed.longSideMm} mm long, assumed). Shoppers judge real size from it: enter the product's dimensions and make it again, or a person must check that it looks the right size.`;
  const scale: QcCheck = { id: 'fidelity.scale', status: 'unverified', value: null, threshold: null, message };
  const existing = checks.find((c) => c.id === 'fidelity.scale');
  if (existing?.status === 'fail') return checks;
  return existing ? checks.map((c) => (c === existing ? scale : c)) : [...checks, scale];
}

async function compared(candidate: RawImage, spec: CandidateCheckSpec, reference: Fingerprint, source?: RawImage | null): Promise<QcCheck[]> {
  if (spec.placement && source) {
    const mask = sourceMaskFor(source, spec.sourceMask);
    return compareScene(source, mask, candidate, placementRegistration(spec.placement), reference, {
      role: spec.role,
      productLongSideMm: spec.productLongSideMm ?? null,
      pxPerMm: spec.placement.pxPerMm ?? spec.pxPerMm ?? null,
      category: spec.category ?? null,
      description: spec.description ?? null,
    });
  }
  if (spec.productBox) {
    const region = cropRaw(candidate, clampBox(spec.productBox, candidate.width, candidate.height, 0.1));
    return checkFidelity(region, null, reference, { expectedLongSidePx: spec.expectedProductLongSidePx ?? undefined, placedByUs: true });
  }
  if (spec.sourceRegion) {
    if (!source) return unverified('This close-up could not be compared with its region of the source: the source photo was not available to the check. A person must compare it by eye.');
    const box = clampBox(spec.sourceRegion, source.width, source.height);
    const mask = sourceMaskFor(source, spec.sourceMask);
    const regionMask = new Uint8Array(box.width * box.height);
    for (let y = 0; y < box.height; y++) regionMask.set(mask.subarray((box.y + y) * source.width + box.x, (box.y + y) * source.width + box.x + box.width), y * box.width);
    return compareRegion(candidate, cropRaw(source, box), regionMask);
  }
  if (spec.role === 'clean') {
    return checkFidelity(candidate, null, reference, { expectedLongSidePx: spec.expectedProductLongSidePx ?? undefined, expectedFill: spec.fill ?? undefined });
  }
  return sceneChecks(candidate, spec, reference, source);
}

/**
 * A scene or a close-up of unknown region: the product's place, scale and rotation are unknown,
 * so it is registered first (the source's cutout found in the candidate); a weak match comes
 * back 'unverified' with its reason, never a guess.
 */
async function sceneChecks(candidate: RawImage, spec: CandidateCheckSpec, reference: Fingerprint, source?: RawImage | null): Promise<QcCheck[]> {
  if (!source) return unverified(`The product's place in this ${spec.role} image is unknown and the source photo was not available to find it: a person must compare it with the source by eye.`);
  const mask = sourceMaskFor(source, spec.sourceMask);
  const reg = await registerProduct(source, mask, candidate);
  return compareScene(source, mask, candidate, reg, reference, {
    role: spec.role,
    productLongSideMm: spec.productLongSideMm ?? null,
    pxPerMm: spec.pxPerMm ?? null,
    category: spec.category ?? null,
    description: spec.description ?? null,
  });
}
