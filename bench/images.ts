/**
 * Benchmark (not a test): one full delivery pack (storefront renditions + 8 channel files +
 * ThumbHash + focal point) for a 3000x3000 source, three ways:
 *
 *   ours  : deliveryPack(): decode once, resize once per width, bounded fan-out, channel QC-driven
 *           quality stepping, product box, ThumbHash
 *   floor : one sharp pipeline per output, all concurrently, fed from ONE already-decoded raw
 *           buffer, same outputs (sizes, crops, formats, qualities), no analysis: the lower bound
 *   naive : decode the source file again for every output, outputs one after another
 *
 * Every measurement runs in a fresh child process (so peak RSS = process.resourceUsage().maxRSS
 * of exactly one pack), variants interleaved, several rounds, medians reported.
 *
 *   npm run bench:images                 # = node -r esbuild-register bench/images.ts
 *   npm run bench:images -- --rounds 5 --batch 20
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp, { type Sharp } from 'sharp';
import {
  CHANNEL_IDS,
  CHANNEL_PRESETS,
  planChannel,
} from '../plugins/product-gallery/server/src/pipeline/channels';
import { defaultPipelineConcurrency } from '../plugins/product-gallery/server/src/pipeline/concurrency';
import { decodeOnce, fromRaw, type DecodedImage } from '../plugins/product-gallery/server/src/pipeline/decode';
import { deliveryPack } from '../plugins/product-gallery/server/src/pipeline/delivery';
import { applyEncoder, type OutputFormat } from '../plugins/product-gallery/server/src/pipeline/formats';
import { productBox, type ProductBox } from '../plugins/product-gallery/server/src/pipeline/product-box';
import { planRenditions } from '../plugins/product-gallery/server/src/pipeline/renditions';
import { PHOTO_SET, PHOTOS_DIR } from '../tests/support/photos';

const ROOT = path.resolve(__dirname, '..');
// the full set when it is there (../shared/photos or PRODUCT_GALLERY_PHOTOS), else the committed fixtures
const PHOTOS = PHOTOS_DIR;
const WORK = path.join(os.tmpdir(), 'product-gallery-bench');
const SOURCE = path.join(WORK, 'source-3000.jpg');
const SIDE = 3000;

type Variant = 'ours' | 'floor' | 'naive';

/** One output of the pack as plain sharp operations (what floor and naive run). */
interface OutputOp {
  name: string;
  extract?: { left: number; top: number; width: number; height: number };
  width: number;
  height: number;
  pad?: { left: number; right: number; top: number; bottom: number };
  format: OutputFormat | 'raw';
  quality: number;
  effort?: number;
  srgbProfile?: boolean;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

/** The outputs deliveryPack produces, with the same geometry and settings, as independent ops. */
function packOps(img: { width: number; height: number }, box: ProductBox): OutputOp[] {
  const ops: OutputOp[] = planRenditions(img.width, img.height).map((s) => ({
    name: `${s.width}.${s.format}`, width: s.width, height: s.height, format: s.format, quality: s.quality, effort: s.effort,
  }));
  ops.push({ name: 'thumbhash', width: 100, height: 100, format: 'raw', quality: 0 });
  for (const id of CHANNEL_IDS) {
    const p = CHANNEL_PRESETS[id];
    const g = planChannel(p, img.width, img.height, box);
    const padX = g.width - g.contentWidth;
    const padY = g.height - g.contentHeight;
    const full = g.region.left === 0 && g.region.top === 0 && g.region.width === img.width && g.region.height === img.height;
    ops.push({
      name: id,
      extract: full ? undefined : g.region,
      width: g.contentWidth,
      height: g.contentHeight,
      pad: padX || padY ? { left: Math.floor(padX / 2), right: padX - Math.floor(padX / 2), top: Math.floor(padY / 2), bottom: padY - Math.floor(padY / 2) } : undefined,
      format: p.format,
      quality: p.quality,
      srgbProfile: p.embedSrgbProfile,
    });
  }
  return ops;
}

function runOp(pipeline: Sharp, op: OutputOp): Promise<Buffer> {
  let p = pipeline;
  if (op.extract) p = p.extract(op.extract);
  p = p.resize(op.width, op.height, { fit: 'fill' });
  if (op.pad) p = p.extend({ ...op.pad, background: '#ffffff' });
  if (op.format === 'raw') return p.ensureAlpha().raw().toBuffer();
  return applyEncoder(p, { format: op.format, quality: op.quality, effort: op.effort, srgbProfile: op.srgbProfile }).toBuffer();
}

async function floorPack(file: Buffer, ops: OutputOp[]): Promise<number> {
  const img: DecodedImage = await decodeOnce(file);
  const outs = await Promise.all(ops.map((op) => runOp(fromRaw(img), op)));
  return outs.reduce((a, b) => a + b.length, 0);
}

async function naivePack(file: Buffer, ops: OutputOp[]): Promise<number> {
  let bytes = 0;
  for (const op of ops) bytes += (await runOp(sharp(file).rotate(), op)).length;
  return bytes;
}

async function oursPack(file: Buffer): Promise<number> {
  const pack = await deliveryPack(file);
  return [...pack.renditions, ...pack.channels].reduce((a, b) => a + b.bytes, 0);
}

/** Peak RSS of this process in MB. process.resourceUsage().maxRSS (getrusage ru_maxrss) survives
 *  fork+exec, so a child starts with the parent's RSS as its "peak": the parent therefore does no
 *  image work itself (preparation and the AVIF table run in children too), and on Linux we
 *  cross-check with /proc/self/status VmHWM, which belongs to this process image only. */
function peakRssMB(): { maxRSS: number; vmHWM?: number; vmRSS?: number } {
  const out: { maxRSS: number; vmHWM?: number; vmRSS?: number } = { maxRSS: process.resourceUsage().maxRSS / 1024 };
  try {
    const st = fs.readFileSync('/proc/self/status', 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(st);
    if (m) out.vmHWM = Number(m[1]) / 1024;
    const c = /VmRSS:\s+(\d+) kB/.exec(st);
    if (c) out.vmRSS = Number(c[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return out;
}

const opsFile = (mode: 'one' | 'batch', count: number) => path.join(WORK, mode === 'one' ? 'ops-one.json' : `ops-batch-${count}.json`);

/** Geometry for floor/naive, computed once in its own child (it decodes every source and runs the
 *  product box): doing it in the measuring child would leave that decode's memory in its baseline. */
async function writeOps(batch: number): Promise<void> {
  sharp.cache(false);
  const plan = async (f: string) => { const img = await decodeOnce(fs.readFileSync(f)); return packOps(img, await productBox(img)); };
  fs.writeFileSync(opsFile('one', 1), JSON.stringify([await plan(SOURCE)]));
  const all: OutputOp[][] = [];
  for (let i = 0; i < batch; i++) all.push(await plan(path.join(WORK, `batch-${i}.jpg`)));
  fs.writeFileSync(opsFile('batch', batch), JSON.stringify(all));
}

// ---------------------------------------------------------------- child process: one measurement
async function child(variant: Variant, mode: 'one' | 'batch', count: number): Promise<void> {
  sharp.cache(false); // single-use pipelines: the operation cache only holds memory
  const files = mode === 'one' ? [fs.readFileSync(SOURCE)] : Array.from({ length: count }, (_, i) => fs.readFileSync(path.join(WORK, `batch-${i}.jpg`)));
  // Geometry for floor/naive comes from our planner, computed before timing (it is not their work).
  const ops: OutputOp[][] = [];
  if (variant !== 'ours') ops.push(...(JSON.parse(fs.readFileSync(opsFile(mode, count), 'utf8')) as OutputOp[][]));
  // Warm the codecs on a tiny image so the first real output does not pay one-time init.
  const tiny = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } }).jpeg().toBuffer();
  await deliveryPack(tiny, { widths: [32] });
  const before = peakRssMB();
  const t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < files.length; i++) {
    bytes += variant === 'ours' ? await oursPack(files[i]) : variant === 'floor' ? await floorPack(files[i], ops[i]) : await naivePack(files[i], ops[i]);
  }
  const ms = performance.now() - t0;
  const outputs = variant === 'ours' ? undefined : ops[0].length;
  const peak = peakRssMB();
  // Baseline = resident set just before the pack (Node + esbuild-register + sharp + a 64 px warm-up
  // pack); peak = high-water mark of this process image (VmHWM; ru_maxrss where there is no /proc).
  process.stdout.write(JSON.stringify({ variant, mode, ms, bytes, outputs, maxRssMB: peak.vmHWM ?? peak.maxRSS, ruMaxRssMB: peak.maxRSS, rssBeforeMB: before.vmRSS ?? before.maxRSS }) + '\n');
}

interface ChildResult { ms: number; maxRssMB: number; ruMaxRssMB: number; rssBeforeMB: number; bytes: number; outputs?: number }

function spawnChild(variant: Variant, mode: 'one' | 'batch', count = 1): ChildResult {
  return JSON.parse(runChild(['--child', variant, mode, String(count)]));
}

function runChild(args: string[]): string {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return out.trim().split('\n').pop()!;
}

// ---------------------------------------------------------------- parent
async function prepare(batch: number): Promise<void> {
  fs.mkdirSync(WORK, { recursive: true });
  const base = fs.readdirSync(PHOTOS).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
  // photo 14 (940x870) where the full set is there; on a fresh clone the first fixture photo
  const fourteen = base.find((f) => f.startsWith('14_')) ?? base[0];
  if (!fourteen) throw new Error(`No photo found in ${PHOTOS}`);
  console.log(`source: ${fourteen} (${PHOTO_SET.kind} photo set)`);
  if (!fs.existsSync(SOURCE)) {
    // Upscale the real photo 14 (940x870) to 3000x3000 (lanczos, cover crop), JPEG q90 like a camera export.
    await sharp(path.join(PHOTOS, fourteen)).resize(SIDE, SIDE, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(SOURCE);
  }
  for (let i = 0; i < batch; i++) {
    const f = path.join(WORK, `batch-${i}.jpg`);
    if (fs.existsSync(f)) continue;
    const src = path.join(PHOTOS, base[i % base.length]);
    let p = sharp(src).rotate().resize(SIDE, SIDE, { fit: 'cover' });
    if (i >= base.length) p = p.flop();
    await p.jpeg({ quality: 90 }).toFile(f);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function avifTable(): Promise<string[]> {
  sharp.cache(false);
  const img = await decodeOnce(fs.readFileSync(SOURCE));
  const lines = ['| width | JPEG q82 | WebP q80 e4 | AVIF q50 e4 (default) | AVIF q50 e2 (ours) |', '|---:|---:|---:|---:|---:|'];
  for (const w of [1920, 960, 320]) {
    const { data, info } = await fromRaw(img).resize(w).raw().toBuffer({ resolveWithObject: true });
    const cell = async (f: (p: Sharp) => Sharp) => {
      let best = Infinity;
      let bytes = 0;
      for (let i = 0; i < 2; i++) {
        const t0 = performance.now();
        bytes = (await f(sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels as 3 } })).toBuffer()).length;
        best = Math.min(best, performance.now() - t0);
      }
      return `${best.toFixed(0)} ms, ${(bytes / 1024).toFixed(0)} KB`;
    };
    lines.push(`| ${w} | ${await cell((p) => p.jpeg({ quality: 82, progressive: true }))} | ${await cell((p) => p.webp({ quality: 80, effort: 4 }))} | ${await cell((p) => p.avif({ quality: 50, effort: 4 }))} | ${await cell((p) => p.avif({ quality: 50, effort: 2 }))} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  if (process.argv.includes('--prepare')) return prepare(arg('prepare', 20));
  if (process.argv.includes('--ops')) return writeOps(arg('ops', 20));
  if (process.argv.includes('--avif')) {
    process.stdout.write(JSON.stringify(await avifTable()) + '\n');
    return;
  }
  if (process.argv.includes('--child')) {
    const i = process.argv.indexOf('--child');
    await child(process.argv[i + 1] as Variant, process.argv[i + 2] as 'one' | 'batch', Number(process.argv[i + 3]));
    return;
  }
  const rounds = arg('rounds', 3);
  const batch = arg('batch', 20);
  runChild(['--prepare', String(batch)]);
  runChild(['--ops', String(batch)]);
  const variants: Variant[] = ['ours', 'floor', 'naive'];
  const one: Record<Variant, ChildResult[]> = { ours: [], floor: [], naive: [] };
  for (let r = 0; r < rounds; r++) {
    // Interleave and rotate the order each round so drift on a noisy box hits all variants alike.
    const order = variants.map((_, k) => variants[(k + r) % variants.length]);
    for (const v of order) {
      const res = spawnChild(v, 'one');
      one[v].push(res);
      process.stderr.write(`round ${r + 1}/${rounds} ${v}: ${res.ms.toFixed(0)} ms, peak RSS ${res.maxRssMB.toFixed(0)} MB (ru_maxrss ${res.ruMaxRssMB.toFixed(0)} MB; ${res.rssBeforeMB.toFixed(0)} MB before the pack, +${(res.maxRssMB - res.rssBeforeMB).toFixed(0)} MB for the pack)\n`);
    }
  }
  const m = (v: Variant) => median(one[v].map((x) => x.ms));
  const rss = (v: Variant) => {
    const xs = one[v].map((x) => x.maxRssMB);
    return `${median(xs).toFixed(0)} MB [${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}] (baseline ${median(one[v].map((x) => x.rssBeforeMB)).toFixed(0)}, pack +${median(one[v].map((x) => x.maxRssMB - x.rssBeforeMB)).toFixed(0)})`;
  };
  const batchRes: Partial<Record<Variant, number>> = {};
  for (const v of ['ours', 'floor'] as Variant[]) {
    const res = spawnChild(v, 'batch', batch);
    batchRes[v] = batch / (res.ms / 1000);
    process.stderr.write(`batch ${v}: ${batch} packs in ${(res.ms / 1000).toFixed(1)} s\n`);
  }
  const outputs = one.floor[0].outputs;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `Delivery pack for one ${SIDE}x${SIDE} JPEG source (photo 14 upscaled): ${outputs} outputs = storefront renditions (5 widths x WebP/JPEG + AVIF at <= 960 px) + 8 channel files + ThumbHash.`,
    `Machine: ${os.availableParallelism?.() ?? os.cpus().length} cores (${cpu}), Node ${process.version}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, sharp.concurrency() = ${sharp.concurrency()}, UV_THREADPOOL_SIZE = ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, MALLOC_ARENA_MAX = ${process.env.MALLOC_ARENA_MAX ?? 'unset (glibc default: 8 x cores)'} (inherited by every child alike); ${rounds} interleaved rounds, each variant in a fresh process, medians.`,
    '',
    '| variant | one pack (median) | vs ours | peak RSS, one pack | packs/s, 20 sources |',
    '|---|---:|---:|---:|---:|',
    `| **ours**: \`deliveryPack()\` (decode once, resize once per width, <= ${defaultPipelineConcurrency()} pipelines in flight) | ${(m('ours') / 1000).toFixed(2)} s | 1.00x | ${rss('ours')} | ${batchRes.ours!.toFixed(2)} |`,
    `| floor: one pipeline per output from one decoded raw buffer, all concurrent | ${(m('floor') / 1000).toFixed(2)} s | ours/floor = **${(m('ours') / m('floor')).toFixed(2)}x** | ${rss('floor')} | ${batchRes.floor!.toFixed(2)} |`,
    `| naive: decode the file per output, one after another | ${(m('naive') / 1000).toFixed(2)} s | naive/ours = **${(m('naive') / m('ours')).toFixed(2)}x** | ${rss('naive')} | - |`,
    '',
    `Over the ${batch}-source batch (less sensitive to noise than single packs): ours/floor = **${(batchRes.floor! / batchRes.ours!).toFixed(2)}x**. Peak RSS = VmHWM of a fresh child that ran exactly one pack: median [min-max] over the rounds; baseline = its VmRSS just before the pack (Node + esbuild-register + sharp after a 64 px warm-up pack; floor/naive geometry is read from a file, not computed there).`,
    '',
    'AVIF vs WebP encode cost on this machine (source resized from the 3000 px raw; best of 2):',
    '',
    ...(JSON.parse(runChild(['--avif'])) as string[]),
    '',
    `Command: \`npm run bench:images\` (= \`node -r esbuild-register bench/images.ts --rounds ${rounds} --batch ${batch}\`). Targets: ours/floor <= 1.2x, peak RSS <= 300 MB.`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
