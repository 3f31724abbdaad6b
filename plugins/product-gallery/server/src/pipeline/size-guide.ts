/**
 * The size guide: the product's own pixels at true scale beside a millimetre ruler and a coin of
 * stated diameter, its recorded dimensions written out. The scale comes only from the product
 * record's millimetres: without them there is nothing honest to draw, so the shot is refused.
 *
 * Everything on the canvas shares one pixels-per-mm: the ruler's ticks, the coin's diameter and
 * the product's long side, so a shopper can read one against the others.
 */
import sharp from 'sharp';
import { PipelineError } from './errors';
import { unmixedProduct } from './matte';
import { components, dilate, erode } from './morphology';
import { maskBox } from './shots';
import type { CutoutResult } from './cutout';
import type { Placement } from './composite';
import type { BBox, RawImage } from './raw-image';

/** What the product record says about size (mm), as the size guide reads it. */
export interface SizeGuideDimensions {
  widthMm?: number | string | null;
  heightMm?: number | string | null;
  depthMm?: number | string | null;
  bandWidthMm?: number | string | null;
  ringSize?: string | null;
  chainLengthMm?: number | string | null;
  pendantDropMm?: number | string | null;
  earringDropMm?: number | string | null;
  braceletLengthMm?: number | string | null;
}

export interface SizeGuideOptions {
  width: number;
  height: number;
  category?: string | null;
  dimensions?: SizeGuideDimensions | null;
}

export interface SizeGuideResult {
  buffer: Buffer;
  width: number;
  height: number;
  format: 'jpeg';
  pxPerMm: number;
  productLongSideMm: number;
  placement: Placement;
  warnings: { code: string; message: string }[];
}

/** The familiar reference: a US quarter, the coin most shoppers of a US storefront know by hand. */
export const SIZE_REFERENCE = { label: 'US quarter', diameterMm: 24.26 } as const;

const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
};

const mm = (v: number) => `${Math.round(v * 10) / 10} mm`;

/**
 * The product's long side in mm, as photographed: its recorded width or height (the larger).
 * Lengths of a chain or a bracelet describe the piece laid straight or worn, not the shape in the
 * photo, so they are written out but never used as the scale.
 */
export function sizeGuideLongSideMm(dimensions: SizeGuideDimensions | null | undefined): number {
  const w = num(dimensions?.widthMm);
  const h = num(dimensions?.heightMm);
  if (!w && !h) {
    throw new PipelineError(
      'missing_dimensions',
      "A size guide needs the product's real width or height in millimetres, and this product's record has neither (Dimensions: width mm, height mm). Add them to the product, then generate the size guide again.",
      { missing: ['widthMm', 'heightMm'] }
    );
  }
  return Math.max(w ?? 0, h ?? 0);
}

/** The record's dimensions as lines a shopper reads. */
export function sizeGuideText(category: string | null | undefined, d: SizeGuideDimensions | null | undefined): string[] {
  const w = num(d?.widthMm), h = num(d?.heightMm), depth = num(d?.depthMm);
  const main = [w && `width ${mm(w)}`, h && `height ${mm(h)}`, depth && `depth ${mm(depth)}`].filter(Boolean).join(' × ');
  const extra: string[] = [];
  const band = num(d?.bandWidthMm);
  if (band) extra.push(`band ${mm(band)}`);
  const ring = d?.ringSize ? String(d.ringSize).trim() : '';
  if (ring) {
    const n = Number(ring.replace(/[^0-9.]/g, ''));
    // US sizing: inner diameter = 11.63 mm + 0.8128 mm per size
    extra.push(Number.isFinite(n) && n > 0 && n < 20 ? `ring size ${ring} (inner Ø ${mm(11.63 + 0.8128 * n)})` : `ring size ${ring}`);
  }
  const chain = num(d?.chainLengthMm);
  if (chain) extra.push(`chain ${mm(chain)}`);
  const drop = num(d?.pendantDropMm) ?? num(d?.earringDropMm);
  if (drop) extra.push(`drop ${mm(drop)}`);
  const bracelet = num(d?.braceletLengthMm);
  if (bracelet) extra.push(`${category === 'anklet' ? 'anklet' : 'bracelet'} length ${mm(bracelet)}`);
  const first = main.charAt(0).toUpperCase() + main.slice(1);
  return [first, extra.join(' · ')].filter(Boolean);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Millimetre ruler: a baseline with ticks hanging from it (1 mm, longer every 5 and 10), numbers below. */
function rulerSvg(left: number, top: number, lengthMm: number, ppm: number, unit: number, page: number): string {
  const tick = Math.max(10, Math.min(Math.round(page * 0.02), Math.round(ppm * 2.2)));
  const stroke = Math.max(1, Math.min(3, Math.round(ppm / 6)));
  const font = Math.max(16, Math.min(Math.round(page * 0.021), Math.round(tick * 0.9)));
  const parts: string[] = [];
  parts.push(`<line x1="${left}" y1="${top}" x2="${left + lengthMm * ppm}" y2="${top}" stroke="#2b2b2b" stroke-width="${stroke + 1}"/>`);
  for (let m = 0; m <= lengthMm; m += unit) {
    // on whole pixels (half pixels for odd strokes): a crisp tick, never a grey smear between two
    const x = Math.round(left + m * ppm) + (stroke % 2 ? 0.5 : 0);
    const len = m % 10 === 0 ? tick * 1.6 : m % 5 === 0 ? tick * 1.15 : tick * 0.7;
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + len}" stroke="#2b2b2b" stroke-width="${stroke}"/>`);
    const labelEvery = ppm * 10 >= font * 2.6 ? 10 : 20;
    if (m % labelEvery === 0) parts.push(`<text x="${x}" y="${top + tick * 1.6 + font * 1.1}" font-size="${font}" text-anchor="middle" fill="#2b2b2b">${m}</text>`);
  }
  parts.push(`<text x="${left + lengthMm * ppm}" y="${top + tick * 1.6 + font * 2.3}" font-size="${font}" text-anchor="end" fill="#6b6b6b">mm</text>`);
  return parts.join('');
}

function coinSvg(cx: number, cy: number, r: number, font: number): string {
  // the rim's stroke is centred on the circle: drawn inside the coin's edge, so the outside is the stated diameter
  const rim = Math.max(1, r * 0.03);
  const edge = r - rim / 2;
  return `<defs><radialGradient id="coin" cx=".38" cy=".32" r=".85"><stop offset="0" stop-color="#eef0f2"/><stop offset=".55" stop-color="#c3c7cc"/><stop offset="1" stop-color="#8d939a"/></radialGradient></defs>
  <circle cx="${cx}" cy="${cy}" r="${edge}" fill="url(#coin)" stroke="#7b8188" stroke-width="${rim}"/>
  <circle cx="${cx}" cy="${cy}" r="${r * 0.86}" fill="none" stroke="#a4a9af" stroke-width="${Math.max(1, r * 0.015)}"/>
  <text x="${cx}" y="${cy + r + font * 1.5}" font-size="${font}" text-anchor="middle" fill="#2b2b2b">Ø ${SIZE_REFERENCE.diameterMm} mm</text>
  <text x="${cx}" y="${cy + r + font * 2.75}" font-size="${Math.round(font * 0.85)}" text-anchor="middle" fill="#6b6b6b">${SIZE_REFERENCE.label}</text>`;
}

/**
 * The piece without its chain: the mask opened by a radius a chain is thinner than (a fixed share
 * of the photo's long side, the same for every photo), the largest part kept. When opening leaves
 * the outline as it was (no chain, or one too thick to tell from the piece), the outline is the piece.
 */
export function pieceWithoutChain(mask: Uint8Array, w: number, h: number, outline: BBox): BBox {
  const r = Math.max(2, Math.round(Math.max(w, h) * CHAIN_WIDTH_SHARE));
  const solid = new Uint8Array(w * h);
  for (let i = 0; i < solid.length; i++) solid[i] = mask[i]! >= 128 ? 255 : 0;
  const opened = dilate(erode(solid, w, h, r), w, h, r);
  const parts = components(w, h, (i) => opened[i]! !== 0 && solid[i]! !== 0);
  let best = 0;
  for (let c = 1; c <= parts.count; c++) if (parts.areas[c]! > (parts.areas[best] ?? 0)) best = c;
  if (!best) return outline;
  const [x0, y0, x1, y1] = [parts.boxes[best * 4]!, parts.boxes[best * 4 + 1]!, parts.boxes[best * 4 + 2]!, parts.boxes[best * 4 + 3]!];
  const piece = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  // a chain adds little to the outline: nothing to tell apart
  return Math.max(piece.width, piece.height) < CHAIN_EXTENT_SHARE * Math.max(outline.width, outline.height) ? piece : outline;
}

/** A chain is a line at most this share of the photo's long side wide (about 10 px across at 1000 px)... */
const CHAIN_WIDTH_SHARE = 0.005;
/** ...and it counts as a chain when the piece without it spans less than this share of the outline. */
const CHAIN_EXTENT_SHARE = 0.85;

/** The size guide of a product from its photo, its cutout and its recorded millimetres. */
export async function renderSizeGuide(working: RawImage, cut: Pick<CutoutResult, 'mask' | 'background'>, options: SizeGuideOptions): Promise<SizeGuideResult> {
  const longMm = sizeGuideLongSideMm(options.dimensions);
  const W = options.width, H = options.height;
  const tight = maskBox(cut.mask, working.width, working.height, 127, 0);
  if (tight.width === 0) throw new PipelineError('blank', 'No product was found in the photo, so no size guide can be made.');
  const warnings: SizeGuideResult['warnings'] = [];
  // The record's width and height are the piece's; a pendant's photo shows its chain as well. The
  // scale is set on the piece itself (what is left once lines as thin as a chain are opened away);
  // the chain is drawn as photographed, at that same scale.
  const piece = options.category === 'pendant' ? pieceWithoutChain(cut.mask, working.width, working.height, tight) : tight;
  // A piece the photo cuts off has no known extent in it: the record's millimetres cannot be laid
  // on what is visible, and a guide drawn anyway would show it at the wrong size. Better no guide
  // than a wrong one. (A pendant's chain may run out of the frame: the pendant is the piece.)
  const cutAt = [piece.y <= 0 && 'top', piece.y + piece.height >= working.height && 'bottom', piece.x <= 0 && 'left', piece.x + piece.width >= working.width && 'right'].filter(Boolean) as string[];
  if (cutAt.length) {
    throw new PipelineError(
      'product_cut_off',
      `The source photo cuts the piece off at its ${cutAt.join(' and ')} edge${cutAt.length > 1 ? 's' : ''}, so its whole size in the photo is unknown and it cannot be drawn to scale from the record's ${longMm} mm. Use a source photo that shows the whole piece with space around it.`,
      { edges: cutAt }
    );
  }
  const pieceLong = Math.max(piece.width, piece.height);
  const mmPerPx = longMm / pieceLong;
  const productMm = { w: tight.width * mmPerPx, h: tight.height * mmPerPx };
  if (piece !== tight) warnings.push({ code: 'chain_drawn', message: `The scale is set on the pendant itself (${mm(longMm)}); its chain is drawn as the photo shows it.` });

  // Layout, in proportion to the canvas: header text, the product beside the coin, the ruler.
  const unit = Math.min(W, H);
  const margin = Math.round(unit * 0.06);
  const titleFont = Math.round(unit * 0.036);
  const textFont = Math.round(unit * 0.024);
  const lines = sizeGuideText(options.category, options.dimensions);
  if (piece !== tight) lines.push('Scaled on the pendant itself; its chain as photographed');
  const headerBottom = margin + titleFont + lines.length * textFont * 1.6 + unit * 0.04;
  const coinFont = Math.round(unit * 0.022);
  const rulerReserve = unit * 0.16;
  const objectsTop = headerBottom;
  const objectsBottom = H - margin - rulerReserve;
  const gapPx = Math.round(unit * 0.08);
  const availW = W - 2 * margin - gapPx;
  const availH = objectsBottom - objectsTop - coinFont * 3;
  const coinMm = SIZE_REFERENCE.diameterMm;
  const ppm = Math.min(availW / (productMm.w + coinMm), availH / Math.max(productMm.h, coinMm));
  if (!(ppm > 0)) throw new PipelineError('invalid_option', `A ${W}×${H} px canvas is too small for a size guide.`, { width: W, height: H });

  // The product: the source's pixels, edge unmixed, resized so its mask's long side is longMm.
  const pad = maskBox(cut.mask, working.width, working.height, 8, 2);
  const product = unmixedProduct(working, cut.mask, pad, cut.background);
  const scale = mmPerPx * ppm;
  const pw = Math.max(1, Math.round(pad.width * scale));
  const ph = Math.max(1, Math.round(pad.height * scale));
  if (scale > 2) warnings.push({ code: 'upscaled', message: `The product was enlarged ${scale.toFixed(1)}× to its true size beside the ruler: the source photo has few pixels for it.` });
  const resized = await sharp(Buffer.from(product.data.buffer, product.data.byteOffset, product.data.byteLength), { raw: { width: product.width, height: product.height, channels: 4 } })
    .resize(pw, ph, { kernel: 'lanczos3', fit: 'fill' })
    .raw()
    .toBuffer();

  const groupW = (productMm.w + coinMm) * ppm + gapPx;
  const groupLeft = (W - groupW) / 2;
  const midY = (objectsTop + objectsBottom - coinFont * 3) / 2;
  const tightLeft = groupLeft, tightTop = midY - (productMm.h * ppm) / 2;
  const left = Math.round(tightLeft - (tight.x - pad.x) * scale);
  const top = Math.round(tightTop - (tight.y - pad.y) * scale);
  const coinR = (coinMm * ppm) / 2;
  const coinCx = groupLeft + productMm.w * ppm + gapPx + coinR;

  // The ruler spans whole centimetres under the group, at least as long as the product.
  const rulerMm = Math.max(10, Math.min(Math.floor((W - 2 * margin) / ppm / 10) * 10, Math.ceil((productMm.w + coinMm + gapPx / ppm) / 10) * 10));
  const rulerLeft = Math.round((W - rulerMm * ppm) / 2);
  const rulerTop = Math.round(objectsBottom + unit * 0.02);
  const tickUnit = ppm >= 3 ? 1 : 5;

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, Liberation Sans, sans-serif">
  <text x="${margin}" y="${margin + titleFont}" font-size="${titleFont}" font-weight="bold" fill="#1f1f1f">Actual size</text>
  ${lines.map((l, i) => `<text x="${margin}" y="${margin + titleFont + (i + 1) * textFont * 1.6}" font-size="${textFont}" fill="#3a3a3a">${esc(l)}</text>`).join('')}
  ${coinSvg(coinCx, midY, coinR, coinFont)}
  ${rulerSvg(rulerLeft, rulerTop, rulerMm, ppm, tickUnit, unit)}
  </svg>`;

  const canvas = Buffer.alloc(W * H * 3, 255);
  for (let y = 0; y < ph; y++) {
    const cy = top + y;
    if (cy < 0 || cy >= H) continue;
    for (let x = 0; x < pw; x++) {
      const cx = left + x;
      if (cx < 0 || cx >= W) continue;
      const s = (y * pw + x) * 4, o = (cy * W + cx) * 3;
      const a = resized[s + 3];
      if (a === 0) continue;
      for (let c = 0; c < 3; c++) canvas[o + c] = Math.round((resized[s + c] * a + canvas[o + c] * (255 - a)) / 255);
    }
  }
  const buffer = await sharp(canvas, { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
    .toBuffer();
  const longPx = Math.round(longMm * ppm);
  const sourceBox: BBox = { ...pad };
  return {
    buffer,
    width: W,
    height: H,
    format: 'jpeg',
    pxPerMm: ppm,
    productLongSideMm: longMm,
    placement: { scale, pxPerMm: ppm, productLongSideMm: longMm, productLongSidePx: longPx, trueLongSidePx: longPx, left, top, width: pw, height: ph, angle: 0, sourceBox },
    warnings,
  };
}
