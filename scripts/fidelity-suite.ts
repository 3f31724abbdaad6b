/**
 * Fidelity acceptance suite: for every product photo, build altered versions (the product changed)
 * and preserved versions (the product unchanged, the file edited) with sharp, run the fidelity
 * checks against the photo's own fingerprint, and count detections and false rejects.
 *
 * Used by tests/pipeline/fidelity.test.ts and for the README figures.
 */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import {
  backgroundRgbAt, checkFidelity, compositeOnWhite, cutout, fingerprint, intake, summarizeQc,
  type CutoutResult, type QcCheck as FidelityCheck, type QcStatus, type RawImage,
} from '../plugins/product-gallery/server/src/pipeline';

export type CaseKind = 'altered' | 'preserved';

export interface SuiteCase {
  photo: string;
  kind: CaseKind;
  name: string;
  verdict: QcStatus;
  correct: boolean;
  checks: Array<Pick<FidelityCheck, 'id' | 'status' | 'value'> & { metrics?: FidelityCheck['metrics'] }>;
}

export interface SuiteResult {
  cases: SuiteCase[];
  altered: number;
  detected: number;
  preserved: number;
  falseRejects: number;
  detectionRate: number;
  falseRejectRate: number;
  /** FIDELITY detection=..% (a/b) falseReject=..% (c/d) */
  line: string;
}

const raw = (data: Uint8Array, w: number, h: number) => ({ raw: { width: w, height: h, channels: 4 as const } });

async function toRaw(img: sharp.Sharp): Promise<RawImage> {
  const { data, info } = await img.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 4 };
}

function sharpOf(img: RawImage): sharp.Sharp {
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
async function transformProductOnWhite(img: RawImage, cut: CutoutResult, fn: (s: sharp.Sharp, box: { w: number; h: number }) => sharp.Sharp): Promise<RawImage> {
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

export async function buildCases(working: RawImage, cut: CutoutResult, refChroma: number): Promise<Array<{ kind: CaseKind; name: string; image: RawImage }>> {
  const W = working.width, H = working.height;
  const long = Math.max(cut.bbox.width, cut.bbox.height);
  const cases: Array<{ kind: CaseKind; name: string; image: RawImage }> = [];
  const s = () => sharpOf(working);

  // ---- altered: the product itself changed
  if (refChroma >= 8) {
    const hue = await s().modulate({ hue: 35 }).raw().toBuffer();
    cases.push({ kind: 'altered', name: 'hue+35', image: blendByMask(working, hue, cut.mask) });
  }
  {
    const tinted = new Uint8Array(working.data);
    for (let i = 0; i < W * H; i++) { tinted[i * 4 + 1] = Math.round(tinted[i * 4 + 1] * 0.88); tinted[i * 4 + 2] = Math.round(tinted[i * 4 + 2] * 0.6); }
    cases.push({ kind: 'altered', name: 'recolor-yellow', image: blendByMask(working, tinted, cut.mask) });
  }
  {
    const p = productPointNearCentre(cut);
    const r = Math.max(4, 0.06 * long);
    cases.push({ kind: 'altered', name: 'stone-added', image: paintDisc(working, p.x, p.y, r, (_x, _y, d) => { const k = 1 - 0.35 * d; return [190 * k + 40 * (1 - d), 20 * k, 45 * k]; }) });
  }
  {
    const r = Math.max(5, 0.12 * long);
    const p = densestPoint(cut, r);
    cases.push({ kind: 'altered', name: 'part-removed', image: paintDisc(working, p.x, p.y, r, (x, y) => backgroundRgbAt(cut.background, x, y, W, H).map((v) => Math.max(0, Math.min(255, v))) as [number, number, number]) });
  }
  cases.push({ kind: 'altered', name: 'scale+15%', image: await transformProductOnWhite(working, cut, (im, b) => im.resize(Math.round(b.w * 1.15), Math.round(b.h * 1.15), { kernel: 'lanczos3' })) });
  cases.push({ kind: 'altered', name: 'scale-15%', image: await transformProductOnWhite(working, cut, (im, b) => im.resize(Math.round(b.w * 0.85), Math.round(b.h * 0.85), { kernel: 'lanczos3' })) });
  cases.push({ kind: 'altered', name: 'warp-shear', image: await transformProductOnWhite(working, cut, (im) => im.affine([[1, 0.35], [0, 0.9]], { background: { r: 0, g: 0, b: 0, alpha: 0 }, interpolator: 'bicubic' })) });
  cases.push({ kind: 'altered', name: 'blur', image: await toRaw(s().blur(Math.max(3, 0.008 * Math.max(W, H)))) });

  // ---- preserved: the product unchanged
  cases.push({ kind: 'preserved', name: 'jpeg-q60', image: await toRaw(sharp(await s().removeAlpha().jpeg({ quality: 60 }).toBuffer())) });
  cases.push({ kind: 'preserved', name: 'resize-0.7', image: await toRaw(s().resize(Math.round(W * 0.7), Math.round(H * 0.7), { kernel: 'lanczos3' })) });
  {
    const dx = Math.round(W * 0.01), dy = Math.round(H * 0.01);
    cases.push({ kind: 'preserved', name: 'crop-2%', image: await toRaw(s().extract({ left: dx, top: dy, width: W - 2 * dx, height: H - 2 * dy })) });
  }
  cases.push({ kind: 'preserved', name: 'white-background', image: whiteBase(working, cut) });
  return cases;
}

export async function runFidelitySuite(photoPaths: string[], log: (line: string) => void = () => {}): Promise<SuiteResult> {
  const results: SuiteCase[] = [];
  for (const p of photoPaths) {
    const intk = await intake(fs.readFileSync(p));
    const cut = cutout(intk.working);
    const fp = fingerprint(intk.working, cut, intk.sha256);
    const cases = await buildCases(intk.working, cut, fp.color.chroma);
    for (const c of cases) {
      const checks = checkFidelity(c.image, null, fp, { sameFraming: true });
      const verdict = summarizeQc(checks);
      const correct = c.kind === 'altered' ? verdict === 'fail' : verdict !== 'fail';
      results.push({ photo: path.basename(p), kind: c.kind, name: c.name, verdict, correct, checks: checks.map((k) => ({ id: k.id, status: k.status, value: k.value, metrics: k.metrics })) });
      log(`${correct ? 'ok  ' : 'MISS'} ${path.basename(p).slice(0, 28).padEnd(28)} ${c.kind.padEnd(9)} ${c.name.padEnd(16)} ${verdict.padEnd(4)} ${checks.map((k) => `${k.id.slice(9)}=${k.status}${k.metrics ? JSON.stringify(k.metrics) : ''}`).join(' ')}`);
    }
  }
  const altered = results.filter((r) => r.kind === 'altered');
  const preserved = results.filter((r) => r.kind === 'preserved');
  const detected = altered.filter((r) => r.correct).length;
  const falseRejects = preserved.filter((r) => !r.correct).length;
  const detectionRate = altered.length ? detected / altered.length : 0;
  const falseRejectRate = preserved.length ? falseRejects / preserved.length : 0;
  const line = `FIDELITY detection=${(detectionRate * 100).toFixed(1)}% (${detected}/${altered.length}) falseReject=${(falseRejectRate * 100).toFixed(1)}% (${falseRejects}/${preserved.length})`;
  return { cases: results, altered: altered.length, detected, preserved: preserved.length, falseRejects, detectionRate, falseRejectRate, line };
}

if (require.main === module) {
  // usage: node -r esbuild-register scripts/fidelity-suite.ts [--json] [photo ...]
  const args = process.argv.slice(2);
  const json = args[0] === '--json';
  const photos = json ? args.slice(1) : args;
  runFidelitySuite(photos, json ? () => {} : (l) => console.log(l)).then((r) => {
    if (!json) return console.log(r.line);
    const { cases, ...summary } = r;
    const misses = cases.filter((c: any) => !c.correct).map((c: any) => `${c.photo ?? ''} ${c.name ?? ''} ${c.kind ?? ''}`.trim());
    console.log(JSON.stringify({ ...summary, misses }));
  });
}
