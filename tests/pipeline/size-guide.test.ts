/**
 * The size guide (role `size`) made through the pipeline's own job, makeLocalShot, and measured
 * from the image it returns: the ruler's pixels per millimetre are read from its tick marks, the
 * product's long side from its drawn pixels, and the two must agree with the product record's mm.
 */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { makeLocalShot, type LocalShotSpec } from '../../plugins/product-gallery/server/src/pipeline/jobs';
import { SIZE_REFERENCE } from '../../plugins/product-gallery/server/src/pipeline/size-guide';
import { components, dilate, erode } from '../../plugins/product-gallery/server/src/pipeline/morphology';
import { FIXTURE_PHOTOS_DIR } from '../support/photos';
import { SAMPLES, renderSample } from '../../scripts/demo/sample-jewelry';

jest.setTimeout(120_000);

const OUT = process.env.SIZE_GUIDE_OUT; // set to a directory to keep the images for a look

interface Rgb { data: Buffer; width: number; height: number }

const decode = async (buffer: Buffer): Promise<Rgb> => {
  const { data, info } = await sharp(buffer).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
};

/** Not the white page: anything visibly darker or coloured. */
const inked = (img: Rgb, x: number, y: number, limit = 40) => {
  const o = (y * img.width + x) * 3;
  return 255 * 3 - img.data[o] - img.data[o + 1] - img.data[o + 2] > limit;
};
const dark = (img: Rgb, x: number, y: number) => {
  const o = (y * img.width + x) * 3;
  return img.data[o] + img.data[o + 1] + img.data[o + 2] < 3 * 110;
};

/** Bands of rows (or of columns inside rows y0..y1) holding ink, separated by at least `gap` empty ones. */
const bands = (count: number, has: (i: number) => boolean, gap: number) => {
  const out: { from: number; to: number }[] = [];
  let last = -Infinity;
  for (let i = 0; i < count; i++) {
    if (!has(i)) continue;
    if (i - last > gap + 1) out.push({ from: i, to: i });
    else out[out.length - 1].to = i;
    last = i;
  }
  return out;
};

/**
 * The ruler: its baseline is the longest straight dark run on the page; its ticks hang below it,
 * one per millimetre, so px/mm is the median distance between neighbouring tick centres.
 */
const readRuler = (img: Rgb) => {
  let best = { y: -1, run: 0, from: 0 };
  for (let y = Math.floor(img.height / 2); y < img.height; y++) {
    let run = 0;
    for (let x = 0; x < img.width; x++) {
      run = dark(img, x, y) ? run + 1 : 0;
      if (run > best.run) best = { y, run, from: x - run + 1 };
    }
  }
  // the row just below the baseline that crosses the most ticks (the shortest ticks are the 1 mm ones)
  let ticks: number[] = [];
  for (let row = best.y + 1; row < Math.min(img.height, best.y + 16); row++) {
    const found = bands(img.width, (x) => dark(img, x, row), 0).map((b) => (b.from + b.to) / 2);
    if (found.length > ticks.length) ticks = found;
  }
  // one tick per millimetre: the fit over all of them, so one tick's rounding weighs 1/n
  const pxPerMm = (ticks[ticks.length - 1] - ticks[0]) / (ticks.length - 1);
  return { baselineY: best.y, pxPerMm, ticks: ticks.length };
};

/** The product (every ink blob left of the coin) and the coin (the rightmost blob), above the ruler. */
const readObjects = (img: Rgb, rulerY: number) => {
  const rows = bands(rulerY - 4, (y) => { for (let x = 0; x < img.width; x++) if (inked(img, x, y)) return true; return false; }, 6);
  // the header is text lines at the top; the objects are the tallest band
  const objects = rows.reduce((a, b) => (b.to - b.from > a.to - a.from ? b : a));
  const cols = bands(img.width, (x) => { for (let y = objects.from; y <= objects.to; y++) if (inked(img, x, y)) return true; return false; }, 0);
  const coin = cols[cols.length - 1];
  const product = { x0: cols[0].from, x1: cols[cols.length - 2].to, y0: Infinity, y1: -Infinity };
  for (let y = objects.from; y <= objects.to; y++) {
    for (let x = product.x0; x <= product.x1; x++) if (inked(img, x, y)) { product.y0 = Math.min(product.y0, y); product.y1 = Math.max(product.y1, y); }
  }
  // the coin's diameter: its longest horizontal run (the caption's letters are short runs)
  let coinPx = 0;
  for (let y = objects.from; y <= objects.to; y++) {
    let run = 0;
    for (let x = coin.from; x <= coin.to; x++) { run = inked(img, x, y) ? run + 1 : 0; coinPx = Math.max(coinPx, run); }
  }
  return { productLongPx: Math.max(product.x1 - product.x0 + 1, product.y1 - product.y0 + 1), coinPx, product, objects };
};

/**
 * A pendant's own long side on the page, its chain left out: the ink of the drawn product opened
 * by a radius wider than a drawn chain's line, the largest solid part kept.
 */
const pieceLongPx = (img: Rgb, area: { x0: number; x1: number; from: number; to: number }, radius: number) => {
  const w = area.x1 - area.x0 + 1, h = area.to - area.from + 1;
  const ink = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) ink[y * w + x] = inked(img, area.x0 + x, area.from + y) ? 255 : 0;
  const opened = dilate(erode(ink, w, h, radius), w, h, radius);
  const parts = components(w, h, (i) => opened[i] !== 0 && ink[i] !== 0);
  let best = 1;
  for (let c = 2; c <= parts.count; c++) if (parts.areas[c] > parts.areas[best]) best = c;
  const b = parts.boxes;
  return Math.max(b[best * 4 + 2] - b[best * 4] + 1, b[best * 4 + 3] - b[best * 4 + 1] + 1);
};

const spec = (category: string, dimensions: LocalShotSpec['dimensions']): LocalShotSpec => ({ role: 'size', aspectRatio: '1:1', minLongEdge: 1600, category, dimensions });

const demoRing = () => renderSample(SAMPLES.find((s) => s.product.category === 'ring')!.render());
const fixture = (file: string) => fs.readFileSync(path.join(FIXTURE_PHOTOS_DIR, file));

// Tolerance: 4% of the long side or 1 mm, whichever is larger. The drawn piece's soft edge and
// the cutout's edge (a pixel or two of the source, enlarged) are what it allows for.
const tolerance = (mm: number) => Math.max(1, mm * 0.04);

describe.each([
  { name: 'a ring (the demo sample)', category: 'ring', photo: demoRing, dimensions: { widthMm: 21, heightMm: 24, bandWidthMm: 2.5, ringSize: '7' } },
  { name: 'a pendant (photo 04)', category: 'pendant', photo: async () => fixture('04_pendant_product_turquoise-point-pendant.jpg'), dimensions: { widthMm: 32, heightMm: 41, pendantDropMm: 28 } },
  { name: 'a bracelet (photo 26)', category: 'bracelet', photo: async () => fixture('26_bracelet_product_lava-bead-buddha.jpg'), dimensions: { widthMm: 72, heightMm: 48, braceletLengthMm: 180 } },
])('size guide of $name', ({ name, category, photo, dimensions }) => {
  test('the drawn product, read against the drawn ruler, is as long as its record says', async () => {
    const shot = await makeLocalShot(await photo(), spec(category, dimensions));
    if (OUT) fs.writeFileSync(path.join(OUT, `size-guide-${category}.jpg`), shot.buffer);
    const img = await decode(shot.buffer);
    expect([img.width, img.height]).toEqual([1600, 1600]);
    const ruler = readRuler(img);
    expect(ruler.ticks).toBeGreaterThan(30);
    const { productLongPx, coinPx, product, objects } = readObjects(img, ruler.baselineY);
    // a pendant's record is the pendant's size: its chain, drawn as photographed, is left out
    const drawnPx = category === 'pendant' ? pieceLongPx(img, { x0: product.x0, x1: product.x1, from: objects.from, to: objects.to }, Math.max(3, Math.round(ruler.pxPerMm * 0.6))) : productLongPx;
    if (OUT) console.log(name, ruler, productLongPx, drawnPx, coinPx);
    const longMm = Math.max(dimensions.widthMm, dimensions.heightMm);
    const measuredMm = drawnPx / ruler.pxPerMm;
    expect(Math.abs(measuredMm - longMm)).toBeLessThanOrEqual(tolerance(longMm));
    // the coin is to the same scale
    expect(Math.abs(coinPx / ruler.pxPerMm - SIZE_REFERENCE.diameterMm)).toBeLessThanOrEqual(tolerance(SIZE_REFERENCE.diameterMm));
  });
});

test('a product with no width or height is refused, naming what is missing', async () => {
  await expect(makeLocalShot(fixture('04_pendant_product_turquoise-point-pendant.jpg'), spec('pendant', { pendantDropMm: 28, chainLengthMm: 450 }))).rejects.toMatchObject({
    code: 'missing_dimensions',
    message: expect.stringMatching(/width or height in millimetres/),
  });
});

test('a piece the photo cuts off is refused, naming the edge: its size in the photo is unknown', async () => {
  const whole = fixture('26_bracelet_product_lava-bead-buddha.jpg');
  const { width, height } = await sharp(whole).metadata();
  // the right part of the photo: the bracelet runs out of its left edge
  const cut = await sharp(whole).extract({ left: Math.round(width! * 0.4), top: 0, width: Math.round(width! * 0.6), height: height! }).resize({ height: 1000 }).jpeg().toBuffer();
  await expect(makeLocalShot(cut, spec('bracelet', { widthMm: 72, heightMm: 48 }))).rejects.toMatchObject({
    code: 'product_cut_off',
    message: expect.stringMatching(/cuts the piece off at its left edge/),
  });
  // the same piece, whole in its photo, is drawn
  await expect(makeLocalShot(whole, spec('bracelet', { widthMm: 72, heightMm: 48 }))).resolves.toMatchObject({ width: 1600 });
});

test('a pendant whose chain runs out of the frame is drawn, scaled on the pendant itself (photo 11)', async () => {
  const shot = await makeLocalShot(fixture('11_pendant_product_silver-origami-crane.jpg'), spec('pendant', { widthMm: 24, heightMm: 18 }));
  expect(shot.warnings.map((w) => w.code)).toContain('chain_drawn');
  const img = await decode(shot.buffer);
  const ruler = readRuler(img);
  const { productLongPx, product, objects } = readObjects(img, ruler.baselineY);
  const pieceMm = pieceLongPx(img, { x0: product.x0, x1: product.x1, from: objects.from, to: objects.to }, Math.max(3, Math.round(ruler.pxPerMm * 0.6))) / ruler.pxPerMm;
  // The crane's thin wing tips go with the chain when it is opened away, here and in the measure:
  // the piece reads within a tenth of its record, and the chain makes the drawing far longer.
  expect(Math.abs(pieceMm - 24)).toBeLessThanOrEqual(2.4);
  expect(productLongPx / ruler.pxPerMm).toBeGreaterThan(24 * 2);
});
