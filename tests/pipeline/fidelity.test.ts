import * as fs from 'fs';
import sharp from 'sharp';
import { checkFidelity, cutout, fingerprint, summarizeQc, intake, FIDELITY_THRESHOLDS, type RawImage } from '../../plugins/product-gallery/server/src/pipeline';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { productPhotos, testWithFullSet } from '../support/photos';

const ROOT = path.resolve(__dirname, '../..');
// The suite runs every photo x 12 cases: minutes on a loaded 2-core machine.
jest.setTimeout(20 * 60 * 1000);

describe('fidelity checks', () => {
  it('returns the four checks with editor messages; unknown scale is "not measured"', async () => {
    const p = productPhotos()[0];
    const r = await intake(fs.readFileSync(p.path));
    const fp = fingerprint(r.working, cutout(r.working), r.sha256);
    const checks = checkFidelity(r.working, null, fp);
    expect(checks.map((c) => c.id)).toEqual(['fidelity.color', 'fidelity.structure', 'fidelity.sharpness', 'fidelity.scale']);
    expect(summarizeQc(checks)).not.toBe('fail');
    const scale = checks.find((c) => c.id === 'fidelity.scale')!;
    expect(scale.status).toBe('pass');
    expect(scale.value).toBeNull();
    expect(scale.message).toMatch(/not measured/i);
    // expected size known: a product twice as large as expected fails
    const big = checkFidelity(r.working, null, fp, { expectedLongSideFraction: fp.shape.longSideFraction / 2 }).find((c) => c.id === 'fidelity.scale')!;
    expect(big.status).toBe('fail');
    expect(big.message).toMatch(/larger/);
    expect(FIDELITY_THRESHOLDS.SCALE_FAIL).toBeLessThanOrEqual(0.15);
  });

  it('a recoloured product fails the colour check with a plain-language message', async () => {
    const p = productPhotos()[0];
    const r = await intake(fs.readFileSync(p.path));
    const c = cutout(r.working);
    const fp = fingerprint(r.working, c);
    const hue = await sharp(Buffer.from(r.working.data), { raw: { width: r.width, height: r.height, channels: 4 } }).modulate({ hue: 40 }).raw().toBuffer();
    const data = new Uint8Array(r.working.data);
    for (let i = 0; i < c.mask.length; i++) if (c.mask[i] > 0) for (let k = 0; k < 3; k++) data[i * 4 + k] = Math.round((hue[i * 4 + k] * c.mask[i] + data[i * 4 + k] * (255 - c.mask[i])) / 255);
    const cand: RawImage = { ...r.working, data };
    const color = checkFidelity(cand, null, fp).find((k) => k.id === 'fidelity.color')!;
    expect(color.status).toBe('fail');
    expect(color.message).toMatch(/ΔE2000 \d+\.\d/);
  });

  // Detection and false-reject rates are figures over the whole set: 6 fixture photos prove nothing.
  testWithFullSet('acceptance suite: altered products fail, preserved products pass', () => {
    // Run in plain Node: jest's module sandbox slows typed-array pixel loops several-fold.
    const out = execFileSync(
      process.execPath,
      ['-r', 'esbuild-register', path.join(ROOT, 'scripts/fidelity-suite.ts'), '--json', ...productPhotos().map((p) => p.path)],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }
    );
    const res = JSON.parse(out.trim().split('\n').pop()!);
    process.stdout.write(`${res.line}\n${res.misses.join('\n')}\n`);
    expect(res.altered).toBeGreaterThanOrEqual(productPhotos().length * 6);
    expect(res.preserved).toBe(productPhotos().length * 4);
    expect(res.detectionRate).toBeGreaterThanOrEqual(0.95);
    expect(res.falseRejectRate).toBeLessThanOrEqual(0.02);
  });
});
