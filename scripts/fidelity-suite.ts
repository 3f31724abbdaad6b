/**
 * Fidelity acceptance: for every product photo, the shots the plugin makes from it (a clean view
 * and a close-up) are altered (the product changed) and edited without changing the product,
 * then checked against the photo's own reference the way checkCandidate checks them
 * (fidelityChecks). Counted per half of the set, so that limits set on one half are judged on the
 * other: odd-numbered photos tune, even-numbered ones are held out.
 *
 * Caught = the check fails or cannot verify (both block approval); a preserved image is rejected
 * when it fails, and counted apart when it cannot be verified.
 *
 * Used by tests/pipeline/fidelity.test.ts and for the README figures:
 *   node -r esbuild-register scripts/fidelity-suite.ts [--json] [photo ...]
 */
import * as fs from 'fs';
import * as path from 'path';
import sharp, { type Sharp } from 'sharp';
import {
  backgroundRgbAt, compositeOnWhite, cutout, fidelityChecks, fingerprint, intake, renderClean, renderDetail, resizePlaneBilinear, summarizeQc,
  type CutoutResult, type QcCheck, type QcStatus, type RawImage,
} from '../plugins/product-gallery/server/src/pipeline';

export type CaseKind = 'altered' | 'preserved';
export type ImageKind = 'clean' | 'close-up';

export interface SuiteCase {
  photo: string;
  half: 'tune' | 'held-out';
  image: ImageKind;
  kind: CaseKind;
  name: string;
  verdict: QcStatus;
  correct: boolean;
  checks: Array<Pick<QcCheck, 'id' | 'status' | 'value' | 'metrics'>>;
}

export interface Tally {
  altered: number;
  caught: number;
  preserved: number;
  rejected: number;
  unverified: number;
}

export interface SuiteResult {
  cases: SuiteCase[];
  /** per half, per image kind and per case name */
  halves: Record<string, Tally>;
  byImage: Record<string, Tally>;
  byCase: Record<string, Tally>;
  altered: number;
  detected: number;
  preserved: number;
  falseRejects: number;
  detectionRate: number;
  falseRejectRate: number;
  /** FIDELITY detection=..% (a/b) falseReject=..% (c/d) for the whole set, then one line per half */
  line: string;
  report: string;
}

/** Shot sizes: the checks normalise the product, so a smaller shot measures the same, faster. */
const CLEAN_SIZE = 800;
const CLEAN_FILL = 0.85;
const DETAIL_SIZE = 600;
/** FIDELITY_CASES=white-swap,jpeg-q60 runs only those cases (to re-measure one kind of edit). */
const ONLY = process.env.FIDELITY_CASES ? process.env.FIDELITY_CASES.split(',') : null;

const raw = (data: Uint8Array, w: number, h: number) => ({ raw: { width: w, height: h, channels: 4 as const } });

async function toRaw(img: Sharp): Promise<RawImage> {
  const { data, info } = await img.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 4 };
}

function sharpOf(img: RawImage): Sharp {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), raw(img.data, img.width, img.height));
}

/** blend `edited` into `base` through the mask (alpha 0..255) */
function blendByMask(base: RawImage, edited: Uint8Array, mask: Uint8Array): RawImage {
  const out = new Uint8Array(base.data);
  for (let i = 0; i < mask.length; i++) {
    const a = mask[i] / 255;
    if (!a) continue;
    for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round(edited[i * 4 + c] * a + base.data[i * 4 + c] * (1 - a));
  }
  return { ...base, data: out };
}

function whiteBase(img: RawImage, cut: CutoutResult): RawImage {
  const rgb = compositeOnWhite(img, cut, { x: 0, y: 0, width: img.width, height: img.height });
  const out = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) { out[i * 4] = rgb[i * 3]; out[i * 4 + 1] = rgb[i * 3 + 1]; out[i * 4 + 2] = rgb[i * 3 + 2]; out[i * 4 + 3] = 255; }
  return { data: out, width: img.width, height: img.height, channels: 4 };
}

/** Product (premultiplied-free RGBA, alpha = mask) transformed by `fn` and laid on a white canvas. */
async function transformProductOnWhite(img: RawImage, cut: CutoutResult, fn: (s: Sharp, box: { w: number; h: number }) => Sharp): Promise<RawImage> {
  const W = img.width, H = img.height;
  const white = whiteBase(img, cut);
  // product layer: decontaminated colours, alpha = mask
  const layer = new Uint8Array(white.data);
  for (let i = 0; i < W * H; i++) layer[i * 4 + 3] = cut.mask[i];
  // un-premultiply the white-composited colours so that the layer composites back exactly
  for (let i = 0; i < W * H; i++) {
    const a = cut.mask[i] / 255;
    if (a > 0 && a < 1) for (let c = 0; c < 3; c++) layer[i * 4 + c] = Math.max(0, Math.min(255, Math.round((white.data[i * 4 + c] - (1 - a) * 255) / a)));
  }
  const b = cut.bbox;
  const pad = Math.round(Math.max(b.width, b.height) * 0.3);
  const ex = { left: Math.max(0, b.x - pad), top: Math.max(0, b.y - pad) };
  const ew = Math.min(W, b.x + b.width + pad) - ex.left, eh = Math.min(H, b.y + b.height + pad) - ex.top;
  const piece = await fn(sharpOf({ data: layer, width: W, height: H, channels: 4 }).extract({ left: ex.left, top: ex.top, width: ew, height: eh }), { w: ew, h: eh })
    .png().toBuffer({ resolveWithObject: true });
  const pw = piece.info.width, ph = piece.info.height;
  // centre of the transformed piece on the centre of the original box
  const cx = ex.left + ew / 2, cy = ex.top + eh / 2;
  let left = Math.round(cx - pw / 2), top = Math.round(cy - ph / 2);
  let input = sharp(piece.data);
  // crop what falls outside the canvas
  const cl = Math.max(0, -left), ct = Math.max(0, -top);
  const cw = Math.min(pw - cl, W - Math.max(0, left)), ch = Math.min(ph - ct, H - Math.max(0, top));
  input = input.extract({ left: cl, top: ct, width: cw, height: ch });
  left = Math.max(0, left); top = Math.max(0, top);
  const bg = Buffer.alloc(W * H * 4, 255);
  return toRaw(sharp(bg, raw(bg, W, H)).composite([{ input: await input.png().toBuffer(), left, top }]));
}

/** centre of the disc window (radius r) holding the most product mass */
function densestPoint(cut: CutoutResult, radius: number): { x: number; y: number } {
  const W = cut.width, H = cut.height;
  const r = Math.round(radius);
  const step = Math.max(2, Math.round(r / 8));
  let best = -1, bx = cut.bbox.x, by = cut.bbox.y;
  for (let y = cut.bbox.y; y < cut.bbox.y + cut.bbox.height; y += step) {
    for (let x = cut.bbox.x; x < cut.bbox.x + cut.bbox.width; x += step) {
      let s = 0;
      for (let yy = Math.max(0, y - r); yy < Math.min(H, y + r); yy += 2) for (let xx = Math.max(0, x - r); xx < Math.min(W, x + r); xx += 2) s += cut.mask[yy * W + xx];
      if (s > best) { best = s; bx = x; by = y; }
    }
  }
  return { x: bx, y: by };
}

/** product pixel nearest to the product's centre of mass */
function productPointNearCentre(cut: CutoutResult): { x: number; y: number } {
  const W = cut.width;
  let sx = 0, sy = 0, s = 0;
  for (let i = 0; i < cut.mask.length; i++) if (cut.mask[i] >= 200) { const x = i % W; sx += x; sy += (i - x) / W; s++; }
  const cx = sx / s, cy = sy / s;
  let best = Infinity, bx = 0, by = 0;
  for (let i = 0; i < cut.mask.length; i++) {
    if (cut.mask[i] < 200) continue;
    const x = i % W, y = (i - x) / W, d = (x - cx) ** 2 + (y - cy) ** 2;
    if (d < best) { best = d; bx = x; by = y; }
  }
  return { x: bx, y: by };
}

function paintDisc(img: RawImage, cx: number, cy: number, r: number, color: (x: number, y: number, d: number) => [number, number, number]): RawImage {
  const out = new Uint8Array(img.data);
  for (let y = Math.max(0, Math.floor(cy - r - 1)); y <= Math.min(img.height - 1, Math.ceil(cy + r + 1)); y++) {
    for (let x = Math.max(0, Math.floor(cx - r - 1)); x <= Math.min(img.width - 1, Math.ceil(cx + r + 1)); x++) {
      const d = Math.hypot(x - cx, y - cy);
      const a = Math.max(0, Math.min(1, r + 0.5 - d));
      if (!a) continue;
      const c = color(x, y, d / r);
      const i = (y * img.width + x) * 4;
      for (let k = 0; k < 3; k++) out[i + k] = Math.round(c[k] * a + out[i + k] * (1 - a));
    }
  }
  return { ...img, data: out };
}

export type Case = { kind: CaseKind; name: string; image: RawImage };

/** The whole image transformed, then centre-cropped (or padded white) back to its size. */
async function wholeImage(img: RawImage, fn: (s: Sharp, box: { w: number; h: number }) => Sharp): Promise<RawImage> {
  const W = img.width, H = img.height;
  const t = await fn(sharpOf(img), { w: W, h: H }).png().toBuffer({ resolveWithObject: true });
  const tw = t.info.width, th = t.info.height;
  const canvas = Buffer.alloc(W * H * 4, 255);
  const left = Math.round((W - tw) / 2), top = Math.round((H - th) / 2);
  const cl = Math.max(0, -left), ct = Math.max(0, -top);
  const piece = await sharp(t.data).extract({ left: cl, top: ct, width: Math.min(tw - cl, W), height: Math.min(th - ct, H) }).png().toBuffer();
  return toRaw(sharp(canvas, raw(canvas, W, H)).composite([{ input: piece, left: Math.max(0, left), top: Math.max(0, top) }]).flatten({ background: '#ffffff' }));
}

/** The source's cutout seen through a close-up: its region of the mask at the close-up's size, on a flat background. */
function closeUpCut(sourceCut: CutoutResult, region: { x: number; y: number; width: number; height: number }, img: RawImage): CutoutResult {
  const W = sourceCut.width;
  const crop = new Uint8Array(region.width * region.height);
  for (let y = 0; y < region.height; y++) crop.set(sourceCut.mask.subarray((region.y + y) * W + region.x, (region.y + y) * W + region.x + region.width), y * region.width);
  const mask = resizePlaneBilinear(crop, region.width, region.height, img.width, img.height);
  let minX = img.width, minY = img.height, maxX = -1, maxY = -1, area = 0;
  const bg = [0, 0, 0];
  let nb = 0;
  for (let i = 0; i < mask.length; i++) {
    const x = i % img.width, y = (i - x) / img.width;
    area += mask[i] / 255;
    if (mask[i] >= 128) { minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y); }
    else if (mask[i] === 0) { for (let c = 0; c < 3; c++) bg[c] += img.data[i * 4 + c]; nb++; }
  }
  const flat = bg.map((v) => v / Math.max(1, nb));
  const surface = [flat[0], 0, 0, 0, 0, 0, flat[1], 0, 0, 0, 0, 0, flat[2], 0, 0, 0, 0, 0];
  return {
    ...sourceCut,
    width: img.width,
    height: img.height,
    mask,
    bbox: maxX < 0 ? { x: 0, y: 0, width: 0, height: 0 } : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 },
    areaFraction: area / mask.length,
    background: { ...sourceCut.background, surface },
  };
}

/** What changes the product itself, on a shot whose product is `cut`. */
export async function alterations(img: RawImage, cut: CutoutResult, refChroma: number, image: ImageKind): Promise<Case[]> {
  const W = img.width, H = img.height;
  const long = Math.max(cut.bbox.width, cut.bbox.height);
  const s = () => sharpOf(img);
  const out: Case[] = [];
  // A hue rotation leaves a colourless (silver, black) piece as it is: not an alteration there.
  if (refChroma >= 8) out.push({ kind: 'altered', name: 'hue+35', image: blendByMask(img, await s().modulate({ hue: 35 }).raw().toBuffer(), cut.mask) });
  {
    const tinted = new Uint8Array(img.data);
    for (let i = 0; i < W * H; i++) { tinted[i * 4 + 1] = Math.round(tinted[i * 4 + 1] * 0.88); tinted[i * 4 + 2] = Math.round(tinted[i * 4 + 2] * 0.6); }
    out.push({ kind: 'altered', name: 'recolor-yellow', image: blendByMask(img, tinted, cut.mask) });
  }
  {
    const p = productPointNearCentre(cut);
    const r = Math.max(4, 0.06 * long);
    out.push({ kind: 'altered', name: 'stone-added', image: paintDisc(img, p.x, p.y, r, (_x, _y, d) => { const k = 1 - 0.35 * d; return [190 * k + 40 * (1 - d), 20 * k, 45 * k]; }) });
  }
  {
    const r = Math.max(5, 0.12 * long);
    const p = densestPoint(cut, r);
    out.push({ kind: 'altered', name: 'part-removed', image: paintDisc(img, p.x, p.y, r, (x, y) => backgroundRgbAt(cut.background, x, y, W, H).map((v) => Math.max(0, Math.min(255, v))) as [number, number, number]) });
  }
  // A clean view's product is moved on its white; a close-up is distorted as a whole, background and all.
  const geometry = (name: string, fn: (im: Sharp, b: { w: number; h: number }) => Sharp) =>
    image === 'clean' ? transformProductOnWhite(img, cut, fn) : wholeImage(img, fn);
  out.push({ kind: 'altered', name: 'stretch-x+18%', image: await geometry('stretch', (im, b) => im.resize(Math.round(b.w * 1.18), b.h, { kernel: 'lanczos3', fit: 'fill' })) });
  out.push({ kind: 'altered', name: 'stretch-y+15%', image: await geometry('stretch', (im, b) => im.resize(b.w, Math.round(b.h * 1.15), { kernel: 'lanczos3', fit: 'fill' })) });
  if (image === 'clean') {
    out.push({ kind: 'altered', name: 'scale+15%', image: await geometry('scale', (im, b) => im.resize(Math.round(b.w * 1.15), Math.round(b.h * 1.15), { kernel: 'lanczos3' })) });
    out.push({ kind: 'altered', name: 'scale-15%', image: await geometry('scale', (im, b) => im.resize(Math.round(b.w * 0.85), Math.round(b.h * 0.85), { kernel: 'lanczos3' })) });
  }
  out.push({ kind: 'altered', name: 'warp-shear', image: await geometry('shear', (im) => im.affine([[1, 0.35], [0, 0.9]], { background: { r: 255, g: 255, b: 255, alpha: image === 'clean' ? 0 : 1 }, interpolator: 'bicubic' })) });
  out.push({ kind: 'altered', name: 'blur', image: await toRaw(s().blur(Math.max(3, 0.008 * Math.max(W, H)))) });
  return out;
}

/** What leaves the product as it is: the file re-encoded, resized, cropped, its white changed. */
export async function preservations(img: RawImage, cut: CutoutResult, image: ImageKind): Promise<Case[]> {
  const W = img.width, H = img.height;
  const s = () => sharpOf(img);
  const out: Case[] = [];
  out.push({ kind: 'preserved', name: 'jpeg-q60', image: await toRaw(sharp(await s().removeAlpha().jpeg({ quality: 60 }).toBuffer())) });
  out.push({ kind: 'preserved', name: 'webp-q75', image: await toRaw(sharp(await s().removeAlpha().webp({ quality: 75 }).toBuffer())) });
  out.push({ kind: 'preserved', name: 'slight-blur', image: await toRaw(s().blur(0.8)) });
  out.push({ kind: 'preserved', name: 'resize-0.7', image: await toRaw(s().resize(Math.round(W * 0.7), Math.round(H * 0.7), { kernel: 'lanczos3' })) });
  {
    const dx = Math.round(W * 0.01), dy = Math.round(H * 0.01);
    out.push({ kind: 'preserved', name: 'crop-2%', image: await toRaw(s().extract({ left: dx, top: dy, width: W - 2 * dx, height: H - 2 * dy }).resize(W, H, { kernel: 'lanczos3' })) });
  }
  if (image === 'clean') {
    // another studio white under the same product: every pure-white pixel off the product (the
    // background, and the inside of a loop), not the white of a pearl's own highlights
    const data = new Uint8Array(img.data);
    const bg = [246, 246, 243];
    for (let i = 0; i < W * H; i++) {
      const p = i * 4;
      if (cut.mask[i] > 0 || img.data[p] < 250 || img.data[p + 1] < 250 || img.data[p + 2] < 250) continue;
      for (let c = 0; c < 3; c++) data[p + c] = bg[c];
    }
    out.push({ kind: 'preserved', name: 'white-swap', image: { ...img, data } });
  }
  return out;
}

/** A product photo's reference and its clean view as the plugin makes it, with the clean view's product mask. */
export async function cleanViewOf(bytes: Buffer): Promise<{ source: RawImage; sourceCut: CutoutResult; reference: ReturnType<typeof fingerprint>; clean: RawImage; cleanCut: CutoutResult }> {
  const src = await intake(bytes);
  const sourceCut = cutout(src.working);
  const reference = fingerprint(src.working, sourceCut, src.sha256);
  const clean = await toRaw(sharp((await renderClean(src.working, sourceCut, { size: CLEAN_SIZE, fill: CLEAN_FILL, format: 'png' })).buffer));
  return { source: src.working, sourceCut, reference, clean, cleanCut: cutout(clean) };
}

export { CLEAN_FILL };

/** The cases of one product photo, each with the spec its check gets. */
export async function buildCases(bytes: Buffer): Promise<{ source: RawImage; reference: ReturnType<typeof fingerprint>; shots: Array<{ image: ImageKind; spec: Parameters<typeof fidelityChecks>[1]; cases: Case[] }> }> {
  const src = await intake(bytes);
  const cut = cutout(src.working);
  const reference = fingerprint(src.working, cut, src.sha256);
  const clean = await renderClean(src.working, cut, { size: CLEAN_SIZE, fill: CLEAN_FILL, format: 'png' });
  const cleanRaw = await toRaw(sharp(clean.buffer));
  const cleanCut = cutout(cleanRaw);
  const detail = await renderDetail(src.working, cut, { aspect: '1:1', minLongEdge: DETAIL_SIZE, format: 'jpeg', background: 'original' });
  const detailRaw = await toRaw(sharp(detail.buffer));
  const detailCut = closeUpCut(cut, detail.sourceBox, detailRaw);
  const shots: Array<{ image: ImageKind; spec: Parameters<typeof fidelityChecks>[1]; cases: Case[] }> = [
    {
      image: 'clean',
      spec: { role: 'clean', reference, fill: CLEAN_FILL },
      cases: [{ kind: 'preserved', name: 'as-made', image: cleanRaw }, ...(await alterations(cleanRaw, cleanCut, reference.color.chroma, 'clean')), ...(await preservations(cleanRaw, cleanCut, 'clean'))],
    },
    {
      image: 'close-up',
      spec: { role: 'detail', reference, sourceRegion: detail.sourceBox, sourceMask: cut.mask },
      cases: [{ kind: 'preserved', name: 'as-made', image: detailRaw }, ...(await alterations(detailRaw, detailCut, reference.color.chroma, 'close-up')), ...(await preservations(detailRaw, detailCut, 'close-up'))],
    },
  ];
  return { source: src.working, reference, shots };
}

const halfOf = (photo: string): 'tune' | 'held-out' => (parseInt(path.basename(photo), 10) % 2 === 1 ? 'tune' : 'held-out');
const empty = (): Tally => ({ altered: 0, caught: 0, preserved: 0, rejected: 0, unverified: 0 });
const pct = (a: number, b: number) => (b ? `${((a / b) * 100).toFixed(1)}%` : '-');
const fmt = (t: Tally) => `detection=${pct(t.caught, t.altered)} (${t.caught}/${t.altered}) falseReject=${pct(t.rejected, t.preserved)} (${t.rejected}/${t.preserved}) cannotVerify(preserved)=${pct(t.unverified, t.preserved)}`;

export async function runFidelitySuite(photoPaths: string[], log: (line: string) => void = () => {}): Promise<SuiteResult> {
  const results: SuiteCase[] = [];
  for (const p of photoPaths) {
    const photo = path.basename(p);
    const built = await buildCases(fs.readFileSync(p));
    for (const shot of built.shots) {
      for (const c of shot.cases) {
        if (ONLY && !ONLY.includes(c.name)) continue;
        const checks = await fidelityChecks(c.image, shot.spec, built.reference, built.source);
        const verdict = summarizeQc(checks);
        const correct = c.kind === 'altered' ? verdict === 'fail' || verdict === 'unverified' : verdict !== 'fail';
        results.push({ photo, half: halfOf(photo), image: shot.image, kind: c.kind, name: c.name, verdict, correct, checks: checks.map((k) => ({ id: k.id, status: k.status, value: k.value, metrics: k.metrics })) });
        log(`${correct ? 'ok  ' : 'MISS'} ${photo.slice(0, 26).padEnd(26)} ${shot.image.padEnd(8)} ${c.kind.padEnd(9)} ${c.name.padEnd(14)} ${verdict.padEnd(10)} ${checks.map((k) => `${k.id.slice(9)}=${k.status}${k.metrics ? JSON.stringify(k.metrics) : `(${k.value})`}`).join(' ')}`);
      }
    }
  }
  const halves: Record<string, Tally> = {}, byImage: Record<string, Tally> = {}, byCase: Record<string, Tally> = {};
  const add = (t: Tally, r: SuiteCase) => {
    if (r.kind === 'altered') { t.altered++; if (r.correct) t.caught++; }
    else { t.preserved++; if (r.verdict === 'fail') t.rejected++; if (r.verdict === 'unverified') t.unverified++; }
  };
  const all = empty();
  for (const r of results) {
    add(all, r);
    add((halves[r.half] ??= empty()), r);
    add((byImage[`${r.half} ${r.image}`] ??= empty()), r);
    add((byCase[`${r.half} ${r.image} ${r.name}`] ??= empty()), r);
  }
  const report = [
    `all       ${fmt(all)}`,
    ...Object.keys(halves).sort().reverse().map((h) => `${h.padEnd(9)} ${fmt(halves[h])}`),
    ...Object.keys(byImage).sort().reverse().map((k) => `  ${k.padEnd(18)} ${fmt(byImage[k])}`),
    ...Object.keys(byCase).sort().reverse().map((k) => {
      const t = byCase[k];
      return `    ${k.padEnd(34)} ${t.altered ? `caught ${t.caught}/${t.altered}` : `rejected ${t.rejected}/${t.preserved}, cannot verify ${t.unverified}`}`;
    }),
  ].join('\n');
  const detectionRate = all.altered ? all.caught / all.altered : 0;
  const falseRejectRate = all.preserved ? all.rejected / all.preserved : 0;
  const line = `FIDELITY ${fmt(all)}`;
  return { cases: results, halves, byImage, byCase, altered: all.altered, detected: all.caught, preserved: all.preserved, falseRejects: all.rejected, detectionRate, falseRejectRate, line, report };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const json = args[0] === '--json';
  const photos = json ? args.slice(1) : args;
  runFidelitySuite(photos, json ? () => {} : (l) => console.log(l)).then((r) => {
    if (!json) return console.log(`${r.report}`);
    const { cases, ...summary } = r;
    const misses = cases.filter((c) => !c.correct).map((c) => `${c.half} ${c.photo} ${c.image} ${c.name} ${c.kind} -> ${c.verdict}`);
    console.log(JSON.stringify({ ...summary, misses }));
  });
}
