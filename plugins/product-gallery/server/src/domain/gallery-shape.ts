import crypto from 'node:crypto';
import type { SlotRule } from './default-briefs';
import type { Category, Role } from './vocabulary';
import type { Gallery, GalleryImage, GallerySource } from '../../../shared/contracts/gallery';
import { isAiGenerated, type DigitalSourceType } from '../pipeline/source-label';

/**
 * What the storefront gets for one product, made from plain rows: no database, no Strapi. The
 * read model stores the result; the storefront route only reads it back.
 */

// The storefront's answer is the contract the admin and storefronts read (shared/contracts).
export type { Gallery, GalleryImage, GallerySlot, GallerySource } from '../../../shared/contracts/gallery';

/** A product as galleries are built from it. */
export interface ProductRow {
  id: number;
  documentId: string;
  slug: string;
  sku: string;
  title: string;
  category: Category;
  galleryVersion: number;
  updatedAt: Date | null;
  briefId: number | null;
}

/** A published asset with its Media Library file. */
export interface PublishedAssetRow {
  id: number;
  documentId: string;
  productId: number;
  role: Role;
  alt: string | null;
  focalPoint: { x: number; y: number } | null;
  width: number | null;
  height: number | null;
  renditions: unknown;
  placeholder: string | null;
  sourceType: DigitalSourceType | null;
  scenePreview: boolean;
  updatedAt: Date | null;
  fileId: number | null;
  fileUrl: string | null;
  fileMime: string | null;
  fileWidth: number | null;
  fileHeight: number | null;
  fileAlt: string | null;
  fileFormats: unknown;
  fileExt: string | null;
}

export interface BriefPlan {
  id: number;
  name: string;
  categories: string[];
  plan: SlotRule[];
}

/** A JSON column as a value: drivers hand back text (SQLite) or parsed values (PostgreSQL). */
export const json = <T>(value: unknown): T | null => {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch {
      return null;
    }
  }
  return value as T;
};

export const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null;

const formatOf = (value: { format?: unknown; mime?: unknown; ext?: unknown; url?: unknown }): string => {
  const raw =
    (typeof value.format === 'string' && value.format) ||
    (typeof value.mime === 'string' && value.mime.split('/')[1]) ||
    (typeof value.ext === 'string' && value.ext.replace(/^\./, '')) ||
    (typeof value.url === 'string' && (value.url.split('?')[0].split('.').pop() ?? '')) ||
    '';
  const f = raw.toLowerCase();
  return f === 'jpg' ? 'jpeg' : f === 'tif' ? 'tiff' : f;
};

/**
 * Storefront sources of one asset: its stored renditions (the pipeline's responsive widths and
 * formats, uploaded to the Media Library), else the Media Library's own responsive formats, and
 * always the original file. Sorted by width, then AVIF, WebP, JPEG.
 */
export const sourcesOf = (asset: PublishedAssetRow, accepted?: ReadonlySet<string>): GallerySource[] => {
  const stored = json<any>(asset.renditions);
  const list: any[] = Array.isArray(stored)
    ? stored
    : Array.isArray(stored?.renditions)
      ? stored.renditions
      : Array.isArray(stored?.sources)
        ? stored.sources
        : [];
  let sources: GallerySource[] = list
    .filter((r) => r && typeof r.url === 'string' && r.url)
    .map((r) => ({ url: r.url as string, width: num(r.width), height: num(r.height), format: formatOf(r) }));
  if (!sources.length) {
    const formats = json<Record<string, any>>(asset.fileFormats) ?? {};
    sources = Object.values(formats)
      .filter((f) => f && typeof f.url === 'string')
      .map((f) => ({ url: f.url as string, width: num(f.width), height: num(f.height), format: formatOf(f) }));
  }
  if (asset.fileUrl && !sources.some((s) => s.url === asset.fileUrl)) {
    sources.push({
      url: asset.fileUrl,
      width: asset.fileWidth ?? asset.width,
      height: asset.fileHeight ?? asset.height,
      format: formatOf({ mime: asset.fileMime, ext: asset.fileExt, url: asset.fileUrl }),
    });
  }
  const rank: Record<string, number> = { avif: 0, webp: 1, jpeg: 2, png: 3 };
  if (accepted) sources = sources.filter((s) => accepted.has(s.format));
  return sources.sort((a, b) => (a.width ?? 0) - (b.width ?? 0) || (rank[a.format] ?? 9) - (rank[b.format] ?? 9));
};

/** Which published asset fills each slot: the first role in the slot's fallback list that has one. */
export const fillSlots = <A extends { role: string }>(plan: readonly SlotRule[], published: readonly A[]) => {
  const byRole = new Map<string, A>();
  for (const a of published) if (!byRole.has(a.role)) byRole.set(a.role, a);
  return plan.map((rule) => {
    const role = rule.roles.find((r) => byRole.has(r));
    return { slot: rule.slot, roles: rule.roles, role: (role ?? null) as Role | null, asset: role ? byRole.get(role)! : null };
  });
};

/** The public shape: a whitelist, nothing else of the product or the asset. No slot filled: no gallery. */
export const shapeGallery = (product: ProductRow, plan: readonly SlotRule[], published: readonly PublishedAssetRow[]): Gallery | null => {
  const images = new Map<number, GalleryImage>();
  const imageOf = (a: PublishedAssetRow): GalleryImage => {
    let image = images.get(a.id);
    if (!image) {
      image = {
        url: a.fileUrl ?? '',
        width: a.width ?? a.fileWidth,
        height: a.height ?? a.fileHeight,
        mime: a.fileMime,
        alt: a.alt || a.fileAlt || `${product.title} (${a.role})`,
        focalPoint: a.focalPoint && typeof a.focalPoint.x === 'number' ? { x: a.focalPoint.x, y: a.focalPoint.y } : null,
        thumbhash: a.placeholder,
        aiGenerated: isAiGenerated(a.sourceType),
        digitalSourceType: a.sourceType ?? null,
        scenePreview: a.scenePreview,
        sources: sourcesOf(a),
      };
      images.set(a.id, image);
    }
    return image;
  };
  const slots = fillSlots(plan, published.filter((a) => a.fileUrl))
    .filter((s) => s.asset)
    .map((s) => ({ slot: s.slot, role: s.role as Role, image: imageOf(s.asset!) }));
  if (!slots.length) return null;
  const updated = [product.updatedAt, ...published.map((a) => a.updatedAt)]
    .filter((d): d is Date => !!d)
    .reduce((max, d) => (d > max ? d : max), new Date(0));
  return {
    product: { documentId: product.documentId, slug: product.slug, sku: product.sku, title: product.title, category: product.category },
    slots,
    updatedAt: updated.toISOString(),
  };
};

/**
 * A gallery for a channel: only the sources in formats the channel takes. The stored gallery
 * keeps every source, so a channel's view is always made from the current one.
 */
export const forChannel = (gallery: Gallery, accepted: ReadonlySet<string>): Gallery => ({
  ...gallery,
  slots: gallery.slots.map((s) => ({ ...s, image: { ...s.image, sources: s.image.sources.filter((src) => accepted.has(src.format)) } })),
});

export const etagOf = (body: string) => `"${crypto.createHash('sha1').update(body).digest('base64url')}"`;

/** GET /galleries/:slug's exact body. */
export const oneBody = (gallery: Gallery) => JSON.stringify({ data: gallery, meta: {} });

const ONE_HEAD = '{"data":';
const ONE_TAIL = ',"meta":{}}';

/**
 * The gallery's JSON inside a stored one-gallery body, as text: the list endpoint joins these
 * without parsing and serializing each again. The body is always oneBody's, so head and tail
 * are fixed; anything else is refused rather than sliced wrong.
 */
export const galleryJsonOf = (body: string): string => {
  if (!body.startsWith(ONE_HEAD) || !body.endsWith(ONE_TAIL)) throw new Error('not a stored gallery body');
  return body.slice(ONE_HEAD.length, body.length - ONE_TAIL.length);
};

/** GET /galleries?slugs='s exact body, from galleries as JSON text, in the order asked. */
export const listBody = (galleries: readonly string[], requested: number) =>
  `{"data":[${galleries.join(',')}],"meta":${JSON.stringify({ requested, found: galleries.length })}}`;
