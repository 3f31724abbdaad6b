/**
 * Where the product is in a frame: a robust bounding box (alpha when the image has transparency,
 * otherwise "differs from the border colour") and the focal point derived from it. Computed on a
 * <=256 px copy, so it is cheap (a few ms) and runs once per delivery pack.
 */
import { fromRaw, hasTransparency, type DecodedImage } from './decode';
import type { BBox } from './raw-image';

/** The product's bounding box in source pixels, with how it was found. */
export interface ProductBox extends BBox {
  /** Share of the frame's pixels that belong to the product (0..1). */
  coverage: number;
  /** How the box was found: 'alpha' (transparency), 'background' (differs from the border colour),
   *  or 'frame' (nothing stood out: the whole frame). */
  method: 'alpha' | 'background' | 'frame';
  /** Border colour the product was separated from (for 'background'). */
  background?: { r: number; g: number; b: number };
}

/** Focal point in percent of width / height (CSS object-position). */
export interface FocalPoint {
  x: number;
  y: number;
}

const ANALYSIS_EDGE = 256;
/** Max channel difference from the border colour that still counts as background (8-bit). */
const BACKGROUND_TOLERANCE = 32;

export async function productBox(img: DecodedImage): Promise<ProductBox> {
  const transparent = hasTransparency(img);
  const { data, info } = await fromRaw(img)
    .resize({ width: ANALYSIS_EDGE, height: ANALYSIS_EDGE, fit: 'inside', withoutEnlargement: true, kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const w = info.width;
  const h = info.height;
  const ch = info.channels;
  const mask = new Uint8Array(w * h);
  let background: ProductBox['background'];
  if (transparent) {
    for (let i = 0, p = 0; i < mask.length; i++, p += ch) mask[i] = data[p + 3] >= 64 ? 1 : 0;
  } else {
    background = borderMedian(data, w, h, ch);
    const { r, g, b } = background;
    for (let i = 0, p = 0; i < mask.length; i++, p += ch) {
      const d = Math.max(Math.abs(data[p] - r), Math.abs(data[p + 1] - g), Math.abs(data[p + 2] - b));
      mask[i] = d > BACKGROUND_TOLERANCE ? 1 : 0;
    }
  }
  // Drop isolated specks (dust, marble flecks, JPEG noise): keep pixels with >= 3 set neighbours.
  const clean = new Uint8Array(w * h);
  const colCount = new Float64Array(w);
  const rowCount = new Float64Array(h);
  let total = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if ((dx || dy) && xx >= 0 && xx < w && mask[yy * w + xx]) n++;
        }
      }
      if (n >= 3) {
        clean[y * w + x] = 1;
        colCount[x]++;
        rowCount[y]++;
        total++;
      }
    }
  }
  const frame: ProductBox = { x: 0, y: 0, width: img.width, height: img.height, coverage: 1, method: 'frame' };
  const coverage = total / (w * h);
  // Nothing stands out (blank / busy edge-to-edge photo): the whole frame is "the product".
  if (total < 4 || (!transparent && coverage > 0.97)) return { ...frame, coverage: transparent ? coverage : 1, background };
  // Trim 0.2% of the product mass on each side so a stray speck does not stretch the box.
  const [x0, x1] = massRange(colCount, total, 0.002);
  const [y0, y1] = massRange(rowCount, total, 0.002);
  const sx = img.width / w;
  const sy = img.height / h;
  const bx = Math.max(0, Math.floor(x0 * sx));
  const by = Math.max(0, Math.floor(y0 * sy));
  const bx1 = Math.min(img.width, Math.ceil((x1 + 1) * sx));
  const by1 = Math.min(img.height, Math.ceil((y1 + 1) * sy));
  return { x: bx, y: by, width: bx1 - bx, height: by1 - by, coverage, method: transparent ? 'alpha' : 'background', background };
}

/** Focal point (percent, one decimal) at the centre of the product box. */
export function focalPointOf(box: ProductBox, width: number, height: number): FocalPoint {
  const round1 = (v: number) => Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
  return { x: round1(((box.x + box.width / 2) / width) * 100), y: round1(((box.y + box.height / 2) / height) * 100) };
}

export function validateFocalPoint(fp: FocalPoint): FocalPoint {
  if (!fp || !Number.isFinite(fp.x) || !Number.isFinite(fp.y) || fp.x < 0 || fp.x > 100 || fp.y < 0 || fp.y > 100) {
    throw new RangeError('focalPoint must be {x, y} in percent (0..100).');
  }
  return { x: fp.x, y: fp.y };
}

function borderMedian(data: Uint8Array, w: number, h: number, ch: number): { r: number; g: number; b: number } {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  const add = (x: number, y: number) => {
    const p = (y * w + x) * ch;
    hist[0][data[p]]++;
    hist[1][data[p + 1]]++;
    hist[2][data[p + 2]]++;
    n++;
  };
  for (let x = 0; x < w; x++) {
    add(x, 0);
    add(x, h - 1);
  }
  for (let y = 1; y < h - 1; y++) {
    add(0, y);
    add(w - 1, y);
  }
  const med = (hh: Uint32Array) => {
    let acc = 0;
    for (let i = 0; i < 256; i++) {
      acc += hh[i];
      if (acc * 2 >= n) return i;
    }
    return 255;
  };
  return { r: med(hist[0]), g: med(hist[1]), b: med(hist[2]) };
}

function massRange(counts: Float64Array, total: number, trim: number): [number, number] {
  const cut = total * trim;
  let acc = 0;
  let lo = 0;
  for (; lo < counts.length; lo++) {
    acc += counts[lo];
    if (acc > cut) break;
  }
  acc = 0;
  let hi = counts.length - 1;
  for (; hi > lo; hi--) {
    acc += counts[hi];
    if (acc > cut) break;
  }
  return [lo, hi];
}
