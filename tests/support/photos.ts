/**
 * Test photos, from one of two sets with the same layout (photos, negatives/, MANIFEST.tsv with a
 * header row, tab-separated):
 * - the full set (31 photos, 7 negatives), kept outside the repository: PRODUCT_GALLERY_PHOTOS
 *   when set (relative to the working directory), else ../shared/photos beside the repository;
 * - the fixture set committed in tests/fixtures/photos (8 Burst photos up to 1200 px, 5
 *   negatives), used when there is no full set: a fresh clone with nothing beside it.
 * PRODUCT_GALLERY_PHOTOS naming a path that does not exist means "no full set" (how to run the
 * fresh-clone case on a machine that has ../shared); an existing directory without a
 * MANIFEST.tsv is a mistake and fails loudly rather than quietly testing less.
 * Suites whose figures only mean something on the whole set use describeWithFullSet /
 * testWithFullSet: without it they are skipped, and say so.
 */
import * as fs from 'fs';
import * as path from 'path';

export const FIXTURE_PHOTOS_DIR = path.resolve(__dirname, '../fixtures/photos');
const SHARED_PHOTOS_DIR = path.resolve(__dirname, '../../../shared/photos');

export interface PhotoSet {
  kind: 'full' | 'fixtures';
  dir: string;
  /** Why this set: for the jest output. */
  why: string;
}

function choosePhotoSet(): PhotoSet {
  const env = process.env.PRODUCT_GALLERY_PHOTOS;
  if (env) {
    const dir = path.resolve(env);
    if (!fs.existsSync(dir)) return { kind: 'fixtures', dir: FIXTURE_PHOTOS_DIR, why: `PRODUCT_GALLERY_PHOTOS=${env} does not exist` };
    if (!fs.existsSync(path.join(dir, 'MANIFEST.tsv'))) {
      throw new Error(`PRODUCT_GALLERY_PHOTOS=${env} has no MANIFEST.tsv: point it at the full photo set, or at a path that does not exist to use the fixtures`);
    }
    return { kind: 'full', dir, why: `PRODUCT_GALLERY_PHOTOS=${env}` };
  }
  if (fs.existsSync(path.join(SHARED_PHOTOS_DIR, 'MANIFEST.tsv'))) return { kind: 'full', dir: SHARED_PHOTOS_DIR, why: '../shared/photos' };
  return { kind: 'fixtures', dir: FIXTURE_PHOTOS_DIR, why: 'no ../shared/photos beside the repository' };
}

export const PHOTO_SET: PhotoSet = choosePhotoSet();
export const PHOTOS_DIR = PHOTO_SET.dir;
export const NEGATIVES_DIR = path.join(PHOTOS_DIR, 'negatives');
export const hasFullSet = PHOTO_SET.kind === 'full';

export interface PhotoEntry {
  filename: string;
  /** absolute path */
  path: string;
  category: string;
  /** 'product-on-plain-background' | 'on-model' | 'lifestyle' | 'other' */
  kind: string;
  width: number;
  height: number;
  description: string;
  role: 'positive' | 'negative';
  format: string;
}

let manifest: PhotoEntry[] | undefined;

export function readManifest(): PhotoEntry[] {
  if (manifest) return manifest;
  const text = fs.readFileSync(path.join(PHOTOS_DIR, 'MANIFEST.tsv'), 'utf8');
  const [header, ...rows] = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const cols = header.split('\t');
  const idx = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`${PHOTOS_DIR}/MANIFEST.tsv has no column ${name}`);
    return i;
  };
  const entries: PhotoEntry[] = rows.map((row) => {
    const c = row.split('\t');
    const [w, h] = (c[idx('width_x_height')] ?? '0x0').split('x').map(Number);
    return {
      filename: c[idx('filename')],
      path: path.join(PHOTOS_DIR, c[idx('filename')]),
      category: c[idx('category')],
      kind: c[idx('kind')],
      width: w,
      height: h,
      description: c[idx('description')],
      role: c[idx('role')] === 'negative' ? 'negative' : 'positive',
      format: c[idx('format')],
    };
  });
  // A listed file that is missing would otherwise surface as an ENOENT deep inside one test.
  const missing = entries.filter((e) => !fs.existsSync(e.path)).map((e) => e.filename);
  if (missing.length) throw new Error(`${PHOTOS_DIR}/MANIFEST.tsv lists files that are not there: ${missing.join(', ')}`);
  manifest = entries;
  return entries;
}

/** All positive photos (every kind). */
export const positivePhotos = (): PhotoEntry[] => readManifest().filter((p) => p.role === 'positive');
/** Positive product-on-plain-background photos: the ones a clean cutout must work on. */
export const productPhotos = (): PhotoEntry[] => positivePhotos().filter((p) => p.kind === 'product-on-plain-background');
/** Positive photos that are not product shots (on-model, lifestyle): cutout must flag them. */
export const sceneOnlyPhotos = (): PhotoEntry[] => positivePhotos().filter((p) => p.kind !== 'product-on-plain-background');
export const negativePhotos = (): PhotoEntry[] => readManifest().filter((p) => p.role === 'negative');

/**
 * One photo by its file name or the start of it ('26_'), in whichever set is in use. Every
 * photo a suite names this way is in both sets (tests/fixtures/photos/MANIFEST.tsv lists them).
 */
export function photoEntry(prefix: string): PhotoEntry {
  const found = readManifest().find((p) => p.filename === prefix || p.filename.startsWith(prefix) || p.filename === `negatives/${prefix}`);
  if (!found) throw new Error(`No photo ${prefix} in ${PHOTOS_DIR} (${PHOTO_SET.kind} set): name one listed in its MANIFEST.tsv`);
  return found;
}
export const photoPath = (prefix: string): string => photoEntry(prefix).path;

export const FULL_SET_REASON = 'skipped: needs ../shared/photos (the full photo set) or PRODUCT_GALLERY_PHOTOS';

const announced = new Set<string>();
function announceSkip(title: string) {
  if (announced.has(title)) return;
  announced.add(title);
  // Straight to stderr: jest prints nothing of a test file's console when all its tests are skipped.
  process.stderr.write(`[photos] "${title}" ${FULL_SET_REASON}; running on the ${PHOTO_SET.kind} set in ${path.relative(process.cwd(), PHOTOS_DIR) || '.'} (${PHOTO_SET.why})\n`);
}

/**
 * A describe block whose figures only mean something on the whole set: skipped, and said so,
 * without it. Its body is not even run then (jest runs a skipped block's body to list its tests),
 * so it may name photos that only the full set has.
 */
export function describeWithFullSet(title: string, fn: () => void): void {
  if (hasFullSet) return describe(title, fn);
  announceSkip(title);
  describe(`${title} (${FULL_SET_REASON})`, () => {
    test.skip('runs on the full photo set only', () => undefined);
  });
}

/** One test that needs the whole set (an acceptance rate, say): skipped, and said so, without it. */
export function testWithFullSet(title: string, fn: jest.ProvidesCallback, timeout?: number): void {
  if (hasFullSet) return test(title, fn, timeout);
  announceSkip(title);
  test.skip(`${title} (${FULL_SET_REASON})`, fn, timeout);
}
