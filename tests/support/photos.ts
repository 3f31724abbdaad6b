/**
 * Test photos live outside the repository, in ../shared/photos relative to the repo root.
 * MANIFEST.tsv (tab-separated, header row) describes each file.
 */
import * as fs from 'fs';
import * as path from 'path';

export const PHOTOS_DIR = path.resolve(__dirname, '../../../shared/photos');
export const NEGATIVES_DIR = path.join(PHOTOS_DIR, 'negatives');

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

export function readManifest(): PhotoEntry[] {
  const text = fs.readFileSync(path.join(PHOTOS_DIR, 'MANIFEST.tsv'), 'utf8');
  const [header, ...rows] = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const cols = header.split('\t');
  const idx = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`MANIFEST.tsv has no column ${name}`);
    return i;
  };
  return rows.map((row) => {
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
}

/** All positive photos (every kind). */
export const positivePhotos = (): PhotoEntry[] => readManifest().filter((p) => p.role === 'positive');
/** Positive product-on-plain-background photos: the ones a clean cutout must work on. */
export const productPhotos = (): PhotoEntry[] => positivePhotos().filter((p) => p.kind === 'product-on-plain-background');
/** Positive photos that are not product shots (on-model, lifestyle): cutout must flag them. */
export const sceneOnlyPhotos = (): PhotoEntry[] => positivePhotos().filter((p) => p.kind !== 'product-on-plain-background');
export const negativePhotos = (): PhotoEntry[] => readManifest().filter((p) => p.role === 'negative');
