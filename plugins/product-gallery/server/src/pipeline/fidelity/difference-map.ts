/**
 * The difference map a reviewer looks at: the candidate dimmed, the outline of where the source
 * product lands on it, and the places where the candidate differs from the source (colour or
 * structure) in a strong colour. A whole-frame overlay means nothing once the framing differs
 * (a scene, a close-up, a clean shot re-framed), so the source is first mapped onto the
 * candidate: by the known placement (local composites), the known region (close-ups), or by
 * registration. When the product cannot be found, the map says so and draws no guess.
 */
import sharp from 'sharp';
import { rgbaToLabPlanes } from '../color';
import { intake } from '../intake';
import { components, dilate, erode, boxBlur } from '../morphology';
import { cropRaw, downscaleRgba, resizePlaneBilinear, type BBox, type RawImage, type RawMask } from '../raw-image';
import { maskBox } from '../shots';
import { sourceMaskFor } from './checks';
import { composeAffine, mapBox, registerProduct, warpSourceToCandidate, type Affine } from './registration';

export interface DifferenceMapSpec {
  role: string;
  /** Where the product was placed in the candidate (local composites). */
  productBox?: BBox | null;
  /** Rotation of that placement, degrees clockwise (sharp's convention); 0 when absent. */
  placementAngle?: number | null;
  /** The source region a close-up shows. */
  sourceRegion?: BBox | null;
  /** The product's mask in the source (width * height of the decoded source, 0..255); cut out when absent. */
  sourceMask?: Uint8Array | RawMask | null;
}

export interface DifferenceRegion extends BBox {
  /** 'color': the piece is there but its colour changed; 'structure': a part is missing or new. */
  kind: 'color' | 'structure';
  /** share of the product's registered area this region covers (0..1) */
  share: number;
}

export interface DifferenceMap {
  png: Buffer;
  /** Size of the PNG (the candidate, at most MAX_OUTPUT px on its long side). */
  width: number;
  height: number;
  /** The source product was placed on the candidate (known placement, known region or a confident registration). */
  registered: boolean;
  /** Why it was not registered (an editor's sentence), else null. */
  reason: string | null;
  /** How the source was mapped: 'placement' (composite), 'region' (close-up), 'registration', or null. */
  method: 'placement' | 'region' | 'registration' | null;
  /** Source -> PNG pixels, when registered. */
  affine: Affine | null;
  /** Share of the registered product area that differs (0..1); null when not registered. */
  changedFraction: number | null;
  /** The differing places, largest first, in PNG pixels. */
  regions: DifferenceRegion[];
}

/** Limits of the map (units in each name); set on the odd-numbered photos, see tests/pipeline/difference-map.test.ts. */
export const DIFFERENCE_LIMITS = {
  /** long side of the analysis grid, px */
  ANALYSIS_PX: 512,
  /** long side of the PNG returned, px */
  MAX_OUTPUT: 1200,
  /** colour distance (CIE76 ΔE, after the lightness of the scene is matched) above which a pixel differs */
  COLOR_DE: 20,
  /** lightness-only difference (CIE76 L*) above which a pixel differs: a part gone or added shows here */
  LIGHTNESS_DL: 28,
  /** misregistration tolerance: each pixel may match the other image within this radius, analysis px */
  TOLERANCE_PX: 2,
  /** the same when the placement was found by registration (a fitted affine is off by a pixel or two more at the ends of a long piece) */
  REGISTERED_TOLERANCE_PX: 3,
  /** a known placement is settled within this many analysis px (best lightness match) */
  SETTLE_PX: 4,
  /** smallest region drawn, share of the product's area (and at least MIN_REGION_PX analysis px) */
  MIN_REGION_SHARE: 0.004,
  MIN_REGION_PX: 10,
  /** lightness offset the scene may put on the piece (relighting), clamped to this many L* */
  MAX_LIGHTNESS_SHIFT: 18,
} as const;

const OUTLINE_RGB = [0, 214, 255] as const;
const CHANGE_RGB = [255, 0, 170] as const;

// ---------- geometry ----------

const scaleAffine = (sx: number, sy = sx): Affine => [sx, 0, 0, 0, sy, 0];

/** A plane of fw x fh placed at (ox, oy) on an empty w x h plane. */
function pasteInto(plane: Uint8Array, fw: number, fh: number, w: number, h: number, ox: number, oy: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < fh && oy + y < h; y++) out.set(plane.subarray(y * fw, y * fw + Math.min(fw, w - ox)), (oy + y) * w + ox);
  return out;
}

/** A close-up shows `region` of the source stretched to the whole candidate. */
export function regionAffine(region: BBox, candidateWidth: number, candidateHeight: number): Affine {
  const sx = candidateWidth / region.width, sy = candidateHeight / region.height;
  return [sx, 0, -region.x * sx, 0, sy, -region.y * sy];
}

/**
 * A composite places the source's product box, scaled and turned by `angleDeg` (clockwise, y down),
 * so that its turned bounding box is `placed`.
 */
export function placementAffine(productBox: BBox, placed: BBox, angleDeg = 0): Affine {
  const t = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(t), sin = Math.sin(t);
  const turnedW = productBox.width * Math.abs(cos) + productBox.height * Math.abs(sin);
  const turnedH = productBox.width * Math.abs(sin) + productBox.height * Math.abs(cos);
  const s = (placed.width / turnedW + placed.height / turnedH) / 2;
  const cx = productBox.x + productBox.width / 2, cy = productBox.y + productBox.height / 2;
  const px = placed.x + placed.width / 2, py = placed.y + placed.height / 2;
  const a = s * cos, b = -s * sin, c = s * sin, d = s * cos;
  return [a, b, px - (a * cx + b * cy), c, d, py - (c * cx + d * cy)];
}

// ---------- comparison ----------

const lightness = (d: Uint8Array, p: number) => 0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2];

/** The integer shift (candidate = source moved by it) within ±r px that best matches the two on the product. */
function bestShift(cand: RawImage, src: RawImage, mask: Uint8Array, r: number): [number, number] {
  const { width: w, height: h } = cand;
  let best = Infinity, bx = 0, by = 0;
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      let sum = 0, n = 0;
      for (let y = r; y < h - r; y += 2) {
        for (let x = r; x < w - r; x += 2) {
          const i = y * w + x;
          if (mask[i] < 128) continue;
          sum += Math.abs(lightness(cand.data, ((y + dy) * w + x + dx) * 4) - lightness(src.data, i * 4));
          n++;
        }
      }
      const cost = n ? sum / n + 0.05 * Math.hypot(dx, dy) : Infinity;
      if (cost < best) { best = cost; bx = dx; by = dy; }
    }
  }
  return [bx, by];
}

function median(values: Float32Array, n: number): number {
  if (!n) return 0;
  const s = values.slice(0, n).sort();
  return s[Math.floor(n / 2)];
}

/**
 * Per-pixel difference in the candidate's frame: for each pixel in the domain, the distance to the
 * best match of the other image within `r` pixels, in both directions (what the candidate shows
 * that the source cannot explain, and what the source shows that the candidate lost).
 */
function tolerantDifference(
  a: { L: Float32Array; A: Float32Array; B: Float32Array },
  b: { L: Float32Array; A: Float32Array; B: Float32Array },
  w: number,
  h: number,
  domain: Uint8Array,
  valid: Uint8Array,
  r: number
): { de: Float32Array; dl: Float32Array } {
  const de = new Float32Array(w * h);
  const dl = new Float32Array(w * h);
  const best = (p: typeof a, q: typeof a, i: number, x: number, y: number): [number, number] => {
    let bestE = Infinity, bestL = Infinity;
    for (let dy = -r; dy <= r; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -r; dx <= r; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= w) continue;
        const j = yy * w + xx;
        if (!valid[j]) continue;
        const l = p.L[i] - q.L[j], aa = p.A[i] - q.A[j], bb = p.B[i] - q.B[j];
        const e = l * l + aa * aa + bb * bb;
        if (e < bestE) bestE = e;
        if (Math.abs(l) < bestL) bestL = Math.abs(l);
      }
    }
    return [Math.sqrt(bestE), bestL];
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!domain[i]) continue;
      const [e1, l1] = best(a, b, i, x, y);
      const [e2, l2] = best(b, a, i, x, y);
      de[i] = Math.max(e1, e2);
      dl[i] = Math.max(l1, l2);
    }
  }
  return { de, dl };
}

const edge = (m: Uint8Array, w: number, h: number, r: number) => {
  const inner = erode(m, w, h, r);
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = m[i] && !inner[i] ? 1 : 0;
  return out;
};

async function renderPng(
  cand: RawImage,
  outline: Uint8Array | null,
  change: Uint8Array | null
): Promise<Buffer> {
  const { width: w, height: h, data } = cand;
  const out = Buffer.alloc(w * h * 3);
  for (let i = 0, p = 0, q = 0; i < w * h; i++, p += 4, q += 3) {
    // Dimmed and greyed, so the highlights are the only strong colour on the map.
    const grey = 0.3 * data[p] + 0.59 * data[p + 1] + 0.11 * data[p + 2];
    let r = 0.3 * (0.5 * data[p] + 0.5 * grey) + 20;
    let g = 0.3 * (0.5 * data[p + 1] + 0.5 * grey) + 20;
    let b = 0.3 * (0.5 * data[p + 2] + 0.5 * grey) + 20;
    if (change && change[i]) {
      const k = change[i] / 255;
      r = r * (1 - 0.8 * k) + CHANGE_RGB[0] * 0.8 * k;
      g = g * (1 - 0.8 * k) + CHANGE_RGB[1] * 0.8 * k;
      b = b * (1 - 0.8 * k) + CHANGE_RGB[2] * 0.8 * k;
    }
    if (outline && outline[i]) {
      r = OUTLINE_RGB[0]; g = OUTLINE_RGB[1]; b = OUTLINE_RGB[2];
    }
    out[q] = r; out[q + 1] = g; out[q + 2] = b;
  }
  return sharp(out, { raw: { width: w, height: h, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}

/**
 * The difference map of a candidate against its product's source photo. `candidateBytes` and
 * `sourceBytes` are encoded images. Never guesses a placement: with no known placement and no
 * confident registration, `registered` is false, `reason` says why, and the PNG is the dimmed
 * candidate alone.
 */
export async function differenceMap(candidateBytes: Buffer | Uint8Array, sourceBytes: Buffer | Uint8Array, spec: DifferenceMapSpec): Promise<DifferenceMap> {
  const L = DIFFERENCE_LIMITS;
  const [candIn, srcIn] = await Promise.all([intake(candidateBytes, { minShortSide: 1 }), intake(sourceBytes, { minShortSide: 1 })]);
  const candFull = candIn.working;
  const source = srcIn.working;
  const out = downscaleRgba(candFull, L.MAX_OUTPUT).image;
  const toOut = out.width / candFull.width;
  const ow = out.width, oh = out.height;
  const unregistered = async (reason: string): Promise<DifferenceMap> => ({
    png: await renderPng(out, null, null),
    width: ow,
    height: oh,
    registered: false,
    reason,
    method: null,
    affine: null,
    changedFraction: null,
    regions: [],
  });

  const mask = sourceMaskFor(source, spec.sourceMask);
  const productBox = maskBox(mask, source.width, source.height, 127, 0);
  if (productBox.width < 2 || productBox.height < 2) return unregistered('The product could not be found in the source photo, so there is nothing to compare with.');

  // Source -> candidate (full resolution).
  let affine: Affine | null = null;
  let method: DifferenceMap['method'] = null;
  if (spec.sourceRegion && spec.sourceRegion.width > 0 && spec.sourceRegion.height > 0) {
    affine = regionAffine(spec.sourceRegion, candFull.width, candFull.height);
    method = 'region';
  } else if (spec.productBox && spec.productBox.width > 0 && spec.productBox.height > 0) {
    affine = placementAffine(productBox, spec.productBox, spec.placementAngle ?? 0);
    method = 'placement';
  } else {
    const reg = await registerProduct(source, mask, candFull);
    if (!reg.found) return unregistered(reg.reason ?? 'The product could not be found in this image with confidence: compare it with the source by eye.');
    affine = reg.affine;
    method = 'registration';
  }

  // Analysis frame: where the product lands (with a margin), at <= ANALYSIS_PX, so a small piece
  // in a wide scene is compared at a useful size.
  const landed = mapBox(affine, productBox);
  const margin = Math.max(landed.width, landed.height) * 0.15;
  const fx0 = Math.max(0, Math.floor(landed.x - margin)), fy0 = Math.max(0, Math.floor(landed.y - margin));
  const fx1 = Math.min(candFull.width, Math.ceil(landed.x + landed.width + margin)), fy1 = Math.min(candFull.height, Math.ceil(landed.y + landed.height + margin));
  if (fx1 - fx0 < 4 || fy1 - fy0 < 4) {
    return unregistered('The product lands outside this image, so no difference can be shown: compare it with the source by eye.');
  }
  const frame: BBox = { x: fx0, y: fy0, width: fx1 - fx0, height: fy1 - fy0 };
  // Both sides at one scale; the two sizes are rounded apart, so they may differ by a row or a
  // column at the frame's far edge (inside its margin): both are cut to the common size.
  const shrunk = downscaleRgba(cropRaw(candFull, frame), L.ANALYSIS_PX).image;
  const k = shrunk.width / frame.width;
  const fit = async (a: Affine) => {
    const ws = await warpSourceToCandidate(source, mask, a, frame, k);
    const cw = Math.min(shrunk.width, ws.image.width), ch = Math.min(shrunk.height, ws.image.height);
    const cut = { x: 0, y: 0, width: cw, height: ch };
    const plane = new Uint8Array(cw * ch);
    for (let y = 0; y < ch; y++) plane.set(ws.mask.subarray(y * ws.image.width, y * ws.image.width + cw), y * cw);
    return { ana: cropRaw(shrunk, cut), image: cropRaw(ws.image, cut), mask: plane };
  };
  let warped = await fit(affine);
  if (method !== 'registration') {
    // A known placement is where the generator put its own cutout's box; this cutout of the source
    // (re-read, perhaps re-encoded by the Media Library) can sit a pixel or two apart: settle the
    // last few pixels by the best lightness match before comparing.
    const [dx, dy] = bestShift(warped.ana, warped.image, warped.mask, L.SETTLE_PX);
    if (dx || dy) {
      affine = composeAffine([1, 0, dx / k, 0, 1, dy / k], affine);
      warped = await fit(affine);
    }
  }
  const ana = warped.ana;
  const w = ana.width, h = ana.height, n = w * h;
  const srcRgba = warped.image.data;
  const inside = new Uint8Array(n);
  const inMask = new Uint8Array(n);
  let maskArea = 0;
  for (let i = 0; i < n; i++) {
    inside[i] = srcRgba[i * 4 + 3] > 0 || warped.mask[i] > 0 ? 1 : 0;
    if (warped.mask[i] >= 128) { inMask[i] = 255; maskArea++; }
  }
  if (maskArea < L.MIN_REGION_PX * 2) {
    return unregistered('The product lands outside this image (or is only a few pixels in it), so no difference can be shown.');
  }

  // Lab planes of both, lightly smoothed (sub-pixel registration error and JPEG noise are not changes).
  const smooth = (p: { L: Float32Array; A: Float32Array; B: Float32Array }) => ({ L: boxBlur(p.L, w, h, 1), A: boxBlur(p.A, w, h, 1), B: boxBlur(p.B, w, h, 1) });
  const labC = smooth(rgbaToLabPlanes(ana.data, n));
  const labS = smooth(rgbaToLabPlanes(srcRgba, n));

  // The comparison covers the piece (its mask, edges trimmed) and, when both images show the same
  // surface around it (close-ups, re-framed photos), a band around it, where an added part would be.
  // Trimming the edge would erase a thin chain altogether: keep it whole when trimming takes most of it.
  let core = erode(inMask, w, h, 1);
  let coreArea = 0;
  for (let i = 0; i < n; i++) if (core[i]) coreArea++;
  if (coreArea < maskArea * 0.4) core = inMask;
  const band = dilate(inMask, w, h, Math.max(3, Math.round(Math.sqrt(maskArea) * 0.08)));
  const ring = new Uint8Array(n);
  let ringN = 0;
  const ringDiff = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (band[i] && !inMask[i] && inside[i]) {
      ring[i] = 1;
      ringDiff[ringN++] = Math.hypot(labC.L[i] - labS.L[i], labC.A[i] - labS.A[i], labC.B[i] - labS.B[i]);
    }
  }
  const sameSurface = ringN > 0 && median(ringDiff, ringN) < 10;
  const domain = new Uint8Array(n);
  for (let i = 0; i < n; i++) domain[i] = inside[i] && (core[i] || (sameSurface && ring[i])) ? 1 : 0;

  // The scene's light moves the piece's lightness as a whole: match it, within reason. Hue and
  // chroma are not matched: a whole piece recoloured must stay visible.
  const dLs = new Float32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (core[i]) dLs[m++] = labC.L[i] - labS.L[i];
  const shift = Math.max(-L.MAX_LIGHTNESS_SHIFT, Math.min(L.MAX_LIGHTNESS_SHIFT, median(dLs, m)));
  for (let i = 0; i < n; i++) labS.L[i] += shift;

  const valid = inside;
  const { de, dl } = tolerantDifference(labC, labS, w, h, domain, valid, method === 'registration' ? L.REGISTERED_TOLERANCE_PX : L.TOLERANCE_PX);
  // Around the piece only what the candidate adds counts (something that is not its own surface):
  // a shadow of the source that a clean shot leaves out is no change to the product.
  const surface = { L: new Float32Array(ringN), A: new Float32Array(ringN), B: new Float32Array(ringN) };
  let sn = 0;
  for (let i = 0; i < n; i++) if (ring[i]) { surface.L[sn] = labC.L[i]; surface.A[sn] = labC.A[i]; surface.B[sn++] = labC.B[i]; }
  const bg = [median(surface.L, sn), median(surface.A, sn), median(surface.B, sn)];
  const raw = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!domain[i] || !(de[i] > L.COLOR_DE || dl[i] > L.LIGHTNESS_DL)) continue;
    if (!core[i] && Math.hypot(labC.L[i] - bg[0], labC.A[i] - bg[1], labC.B[i] - bg[2]) <= L.COLOR_DE) continue;
    raw[i] = 1;
  }
  // Close small gaps, then keep regions big enough to matter.
  const closed = erode(dilate(raw, w, h, 1), w, h, 1);
  for (let i = 0; i < n; i++) closed[i] = closed[i] && domain[i] ? 1 : 0;
  const comps = components(w, h, (i) => closed[i] > 0);
  const minArea = Math.max(L.MIN_REGION_PX, maskArea * L.MIN_REGION_SHARE);
  const keep = new Uint8Array(comps.count + 1);
  const regionsAna: { box: BBox; area: number; kind: DifferenceRegion['kind'] }[] = [];
  let changed = 0;
  for (let c = 1; c <= comps.count; c++) {
    if (comps.areas[c] < minArea) continue;
    keep[c] = 1;
    changed += comps.areas[c];
    const [x0, y0, x1, y1] = [comps.boxes[c * 4], comps.boxes[c * 4 + 1], comps.boxes[c * 4 + 2], comps.boxes[c * 4 + 3]];
    regionsAna.push({ box: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }, area: comps.areas[c], kind: 'color' });
  }
  const changeAna = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (keep[comps.labels[i]]) changeAna[i] = 255;
  // A region is structural when the lightness moved as much as the colour (metal gone, a stone
  // where there was none); colour when hue or chroma carry the change.
  for (const r of regionsAna) {
    let struct = 0, tot = 0;
    for (let y = r.box.y; y < r.box.y + r.box.height; y++) for (let x = r.box.x; x < r.box.x + r.box.width; x++) {
      const i = y * w + x;
      if (!changeAna[i]) continue;
      tot++;
      if (dl[i] > L.LIGHTNESS_DL || !inMask[i]) struct++;
    }
    r.kind = struct * 2 > tot ? 'structure' : 'color';
  }

  // Back to the output frame: highlights feathered by the bilinear resize, outline drawn crisp.
  const ox = Math.round(frame.x * toOut), oy = Math.round(frame.y * toOut);
  const fw = Math.max(1, Math.min(ow - ox, Math.round(frame.width * toOut))), fh = Math.max(1, Math.min(oh - oy, Math.round(frame.height * toOut)));
  const changeOut = pasteInto(resizePlaneBilinear(changeAna, w, h, fw, fh), fw, fh, ow, oh, ox, oy);
  const maskOut = pasteInto(resizePlaneBilinear(inMask, w, h, fw, fh), fw, fh, ow, oh, ox, oy);
  for (let i = 0; i < maskOut.length; i++) maskOut[i] = maskOut[i] >= 128 ? 1 : 0;
  const outline = edge(maskOut, ow, oh, Math.max(1, Math.round(Math.max(ow, oh) / 500)));
  const sx = fw / w, sy = fh / h;
  const regions: DifferenceRegion[] = regionsAna
    .sort((a, b) => b.area - a.area)
    .map((r) => ({
      x: ox + Math.floor(r.box.x * sx),
      y: oy + Math.floor(r.box.y * sy),
      width: Math.ceil(r.box.width * sx),
      height: Math.ceil(r.box.height * sy),
      kind: r.kind,
      share: Math.round((r.area / maskArea) * 1e4) / 1e4,
    }));
  return {
    png: await renderPng(out, outline, changeOut),
    width: ow,
    height: oh,
    registered: true,
    reason: null,
    method,
    affine: composeAffine(scaleAffine(toOut), affine),
    changedFraction: Math.round((changed / maskArea) * 1e4) / 1e4,
    regions,
  };
}
