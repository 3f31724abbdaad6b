import crypto from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { DEFAULT_SLOT_PLAN, type SlotRule } from '../domain/default-briefs';
import { UID, type Category, type Channel, type Role, type Slot } from '../domain/vocabulary';
import { CHANNEL_PRESETS, type ChannelId } from '../pipeline/channels';
import { createCompiledReader } from '../utils/compiled-read';
import { isAiGenerated, type DigitalSourceType } from '../pipeline/source-label';
import { isScenePreview } from '../domain/readiness-rule';

/**
 * The storefront read path. Built for speed and freshness:
 * - a fixed, small number of queries (products, their published assets with the file row, the
 *   slot plans), each selecting only the columns the response needs, through knex on the
 *   tables Strapi's metadata names (no deep document-service populate);
 * - freshness from the database: every request first reads the product's stamp (galleryVersion,
 *   which every publish/archive bumps in its transaction, plus the newest updatedAt of the
 *   product, its assets and their files, and of the briefs) in ONE query; a built gallery is
 *   reused only while that stamp is unchanged, so a publish or an archive made on any instance
 *   is in the very next response of every instance;
 * - an explicit whitelist shape: only published assets, their file and renditions ever leave here.
 */

export interface GallerySource {
  url: string;
  width: number | null;
  height: number | null;
  format: string;
}

export interface GalleryImage {
  url: string;
  width: number | null;
  height: number | null;
  mime: string | null;
  alt: string;
  focalPoint: { x: number; y: number } | null;
  thumbhash: string | null;
  /** A generator made or edited this image (IPTC DigitalSourceType in the file): label it as AI-generated. */
  aiGenerated: boolean;
  /** The file's IPTC DigitalSourceType, or null when nothing is known (an import without one). */
  digitalSourceType: DigitalSourceType | null;
  /**
   * The piece laid by our compositor on a drawn scene (a hand, a neckline, a tabletop), not a
   * photograph: a storefront that shows it should say so, as the admin does.
   */
  scenePreview: boolean;
  sources: GallerySource[];
}

export interface GallerySlot {
  slot: Slot;
  role: Role;
  image: GalleryImage;
}

export interface Gallery {
  product: { documentId: string; slug: string; sku: string; title: string; category: string };
  slots: GallerySlot[];
  updatedAt: string;
}

/** A product row as the read path loads it. */
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

/** A published asset with its Media Library file, as the read path loads it. */
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

const json = <T>(value: unknown): T | null => {
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

const toDate = (value: unknown): Date | null => {
  if (value === null || value === undefined) return null;
  const d = value instanceof Date ? value : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as any));
  return Number.isNaN(d.getTime()) ? null : d;
};

/** Formats a channel accepts, for `?channel=`: storefront sources the channel can't take are dropped. */
const CHANNEL_PRESET_OF: Record<Channel, ChannelId> = {
  amazon: 'amazon-main',
  etsy: 'etsy',
  shopify: 'shopify',
  google: 'google',
  meta: 'meta',
  pinterest: 'pinterest',
  email: 'email',
};

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

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

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

export const etagOf = (body: string) => `"${crypto.createHash('sha1').update(body).digest('base64url')}"`;

export default ({ strapi }: { strapi: Core.Strapi }) => {
  // Table and column names come from Strapi's metadata (they can be shortened or prefixed).
  let names: ReturnType<typeof resolveNames> | undefined;
  const resolveNames = () => {
    const md = (uid: string) => strapi.db.metadata.get(uid as any) as any;
    const product = md(UID.product);
    const asset = md(UID.asset);
    const brief = md(UID.brief);
    const file = md('plugin::upload.file');
    const slotRule = md('product-gallery.slot-rule');
    const assetProduct = asset.attributes.product.joinTable;
    const productBrief = product.attributes.brief.joinTable;
    const briefSlots = brief.attributes.slotPlan.joinTable;
    const related = file.attributes.related.joinTable;
    const schema = strapi.db.getSchemaName?.() as string | undefined;
    const q = (table: string) => (schema ? `${schema}.${table}` : table);
    return {
      product: q(product.tableName),
      asset: q(asset.tableName),
      brief: q(brief.tableName),
      file: q(file.tableName),
      slotRule: q(slotRule.tableName),
      assetProduct: {
        table: q(assetProduct.name),
        asset: assetProduct.joinColumn.name as string,
        product: assetProduct.inverseJoinColumn.name as string,
      },
      productBrief: {
        table: q(productBrief.name),
        product: productBrief.joinColumn.name as string,
        brief: productBrief.inverseJoinColumn.name as string,
      },
      briefSlots: {
        table: q(briefSlots.name),
        entity: briefSlots.joinColumn.name as string,
        cmp: briefSlots.inverseJoinColumn.name as string,
        order: (briefSlots.orderColumnName ?? 'order') as string,
      },
      related: {
        table: q(related.name),
        file: related.joinColumn.name as string,
        id: related.morphColumn.idColumn.name as string,
        type: related.morphColumn.typeColumn.name as string,
      },
    };
  };
  const t = () => (names ??= resolveNames());
  const knex = () => strapi.db.connection;
  // The two queries every storefront request runs, compiled once.
  const read = createCompiledReader(knex);

  /** Built galleries by slug and channel, valid only for the DB stamp they were built at. */
  const built = new Map<string, { stamp: string; gallery: Gallery; json?: string; etag?: string }>();
  const MAX_BUILT = 20_000;
  const remember = (key: string, entry: { stamp: string; gallery: Gallery }) => {
    if (built.size >= MAX_BUILT) built.delete(built.keys().next().value as string);
    built.set(key, entry);
    return entry;
  };

  const service = {
    /** Products by slug or id, with their own brief's id (null: the category's default brief). */
    async products(where: { slugs?: string[]; ids?: number[]; documentIds?: string[] }): Promise<ProductRow[]> {
      const n = t();
      const qb = knex()
        .select(
          'p.id',
          'p.document_id',
          'p.slug',
          'p.sku',
          'p.title',
          'p.category',
          'p.gallery_version',
          'p.updated_at',
          `pb.${n.productBrief.brief} as brief_id`
        )
        .from(`${n.product} as p`)
        .leftJoin(`${n.productBrief.table} as pb`, `pb.${n.productBrief.product}`, 'p.id');
      if (where.slugs) qb.whereIn('p.slug', where.slugs);
      if (where.ids) qb.whereIn('p.id', where.ids);
      if (where.documentIds) qb.whereIn('p.document_id', where.documentIds);
      const rows = await qb;
      return rows.map((r: any) => ({
        id: Number(r.id),
        documentId: r.document_id,
        slug: r.slug,
        sku: r.sku,
        title: r.title,
        category: r.category,
        galleryVersion: Number(r.gallery_version ?? 0),
        updatedAt: toDate(r.updated_at),
        briefId: r.brief_id === null || r.brief_id === undefined ? null : Number(r.brief_id),
      }));
    },

    /** Published assets of these products, with their Media Library file (one query). */
    async publishedAssets(productIds: number[]): Promise<PublishedAssetRow[]> {
      if (!productIds.length) return [];
      const n = t();
      const rows = await knex()
        .select(
          'a.id',
          'a.document_id',
          'a.role',
          'a.alt',
          'a.focal_point',
          'a.width',
          'a.height',
          'a.renditions',
          'a.placeholder',
          'a.source_type',
          'a.provenance',
          'a.updated_at',
          `ap.${n.assetProduct.product} as product_id`,
          'f.id as file_id',
          'f.url as file_url',
          'f.mime as file_mime',
          'f.width as file_width',
          'f.height as file_height',
          'f.alternative_text as file_alt',
          'f.formats as file_formats',
          'f.ext as file_ext'
        )
        .from(`${n.asset} as a`)
        .join(`${n.assetProduct.table} as ap`, `ap.${n.assetProduct.asset}`, 'a.id')
        .leftJoin(`${n.related.table} as fr`, function () {
          this.on(`fr.${n.related.id}`, '=', 'a.id')
            .andOn(`fr.${n.related.type}`, '=', knex().raw('?', [UID.asset]))
            .andOn('fr.field', '=', knex().raw('?', ['file']));
        })
        .leftJoin(`${n.file} as f`, 'f.id', `fr.${n.related.file}`)
        .whereIn(`ap.${n.assetProduct.product}`, productIds)
        .andWhere('a.status', 'published')
        // Newest first: should two of a role ever be published, the latest wins.
        .orderBy([{ column: 'a.published_in_slot_at', order: 'desc' }, { column: 'a.id', order: 'desc' }]);
      return rows.map((r: any) => ({
        id: Number(r.id),
        documentId: r.document_id,
        productId: Number(r.product_id),
        role: r.role,
        alt: r.alt ?? null,
        focalPoint: json(r.focal_point),
        width: num(r.width),
        height: num(r.height),
        renditions: r.renditions,
        placeholder: r.placeholder ?? null,
        sourceType: r.source_type ?? null,
        scenePreview: isScenePreview(json(r.provenance)),
        updatedAt: toDate(r.updated_at),
        fileId: r.file_id === null || r.file_id === undefined ? null : Number(r.file_id),
        fileUrl: r.file_url ?? null,
        fileMime: r.file_mime ?? null,
        fileWidth: num(r.file_width),
        fileHeight: num(r.file_height),
        fileAlt: r.file_alt ?? null,
        fileFormats: r.file_formats,
        fileExt: r.file_ext ?? null,
      }));
    },

    /** Slot plans of the given briefs, or of every brief (to find a category's default). */
    async briefPlans(briefIds?: number[]): Promise<BriefPlan[]> {
      const n = t();
      const qb = knex()
        .select('b.id', 'b.name', 'b.categories', 'r.slot', 'r.roles', `bs.${n.briefSlots.order} as ord`)
        .from(`${n.brief} as b`)
        .leftJoin(`${n.briefSlots.table} as bs`, function () {
          this.on(`bs.${n.briefSlots.entity}`, '=', 'b.id').andOn('bs.field', '=', knex().raw('?', ['slotPlan']));
        })
        .leftJoin(`${n.slotRule} as r`, 'r.id', `bs.${n.briefSlots.cmp}`)
        .orderBy([{ column: 'b.name' }, { column: 'b.id' }, { column: 'ord' }]);
      if (briefIds) qb.whereIn('b.id', briefIds);
      const rows = await qb;
      const byId = new Map<number, BriefPlan>();
      for (const r of rows as any[]) {
        const id = Number(r.id);
        let brief = byId.get(id);
        if (!brief) {
          brief = { id, name: r.name, categories: json<string[]>(r.categories) ?? [], plan: [] };
          byId.set(id, brief);
        }
        const roles = json<Role[]>(r.roles);
        if (r.slot && roles?.length) brief.plan.push({ slot: r.slot, roles });
      }
      return [...byId.values()];
    },

    /** Each product's slot plan: its own brief's, else its category default's, else the reference plan. */
    async plansFor(products: ProductRow[]): Promise<Map<number, SlotRule[]>> {
      const own = [...new Set(products.map((p) => p.briefId).filter((id): id is number => id !== null))];
      const needsDefault = products.some((p) => p.briefId === null);
      const briefs = await service.briefPlans(needsDefault ? undefined : own);
      const byId = new Map(briefs.map((b) => [b.id, b]));
      const out = new Map<number, SlotRule[]>();
      for (const p of products) {
        const brief = p.briefId !== null ? byId.get(p.briefId) : briefs.find((b) => b.categories.includes(p.category));
        out.set(p.id, brief?.plan.length ? brief.plan : DEFAULT_SLOT_PLAN);
      }
      return out;
    },

    /** Which gallery actions the Public role has right now (one query, no cache). */
    async publicActions(): Promise<Set<string>> {
      const md = strapi.db.metadata.get('plugin::users-permissions.permission' as any) as any;
      const roleMd = strapi.db.metadata.get('plugin::users-permissions.role' as any) as any;
      if (!md || !roleMd) return new Set();
      const schema = strapi.db.getSchemaName?.() as string | undefined;
      const q = (table: string) => (schema ? `${schema}.${table}` : table);
      const link = md.attributes.role.joinTable;
      const rows = await read('public-actions', GALLERY_ACTIONS, (actions) =>
        knex()
          .select('p.action')
          .from(`${q(md.tableName)} as p`)
          .join(`${q(link.name)} as l`, `l.${link.joinColumn.name}`, 'p.id')
          .join(`${q(roleMd.tableName)} as r`, 'r.id', `l.${link.inverseJoinColumn.name}`)
          .where('r.type', 'public')
          .whereIn('p.action', actions)
      );
      return new Set(rows.map((r: any) => r.action as string));
    },

    /**
     * Each product's freshness stamp, in one query: everything the gallery is built from that can
     * change. galleryVersion moves with every publish and archive; the updatedAt maxima catch
     * edits to the product, its assets, their Media Library files and the briefs.
     */
    async stamps(slugs: string[]): Promise<Map<string, string>> {
      const n = t();
      const rows = await read('stamps', slugs, (params) => {
        const k = knex();
        return k
          .select(
            'p.id',
            'p.slug',
            'p.gallery_version',
            'p.updated_at',
            `pb.${n.productBrief.brief} as brief_id`,
            k.raw(`(select max(b.updated_at) from ${n.brief} b) as briefs_at`),
            k.raw(`(select count(*) from ${n.brief} b) as briefs_n`),
            k.raw(
              `(select max(a.updated_at) from ${n.assetProduct.table} ap join ${n.asset} a on a.id = ap.${n.assetProduct.asset} where ap.${n.assetProduct.product} = p.id) as assets_at`
            ),
            k.raw(
              `(select count(*) from ${n.assetProduct.table} ap join ${n.asset} a on a.id = ap.${n.assetProduct.asset} where ap.${n.assetProduct.product} = p.id and a.status = 'published') as published_n`
            ),
            k.raw(
              `(select max(f.updated_at) from ${n.assetProduct.table} ap join ${n.asset} a on a.id = ap.${n.assetProduct.asset} and a.status = 'published' ` +
                `join ${n.related.table} fr on fr.${n.related.id} = a.id and fr.${n.related.type} = ? and fr.field = 'file' ` +
                `join ${n.file} f on f.id = fr.${n.related.file} where ap.${n.assetProduct.product} = p.id) as files_at`,
              [UID.asset]
            )
          )
          .from(`${n.product} as p`)
          .leftJoin(`${n.productBrief.table} as pb`, `pb.${n.productBrief.product}`, 'p.id')
          .whereIn('p.slug', params);
      });
      const at = (v: unknown) => toDate(v)?.getTime() ?? 0;
      // A product with nothing published has no gallery: left out like an unknown slug, unbuilt.
      return new Map(
        rows.filter((r: any) => Number(r.published_n) > 0).map((r: any) => [
          r.slug,
          [r.id, r.gallery_version ?? 0, at(r.updated_at), r.brief_id ?? '-', at(r.briefs_at), r.briefs_n, at(r.assets_at), r.published_n, at(r.files_at)].join(':'),
        ])
      );
    },

    /**
     * The storefront galleries for these slugs, in the order asked. A slug without a published
     * image on the page is left out exactly as an unknown one is: the storefront says nothing of
     * products it does not show.
     */
    async bySlugs(slugs: string[], opts: { channel?: Channel } = {}): Promise<Gallery[]> {
      const stamps = await service.stamps(slugs);
      const cacheKey = (slug: string) => `${opts.channel ?? ''}|${slug}`;
      const out = new Map<string, Gallery>();
      const missing: string[] = [];
      for (const slug of slugs) {
        const stamp = stamps.get(slug);
        if (!stamp) continue;
        const hit = built.get(cacheKey(slug));
        if (hit && hit.stamp === stamp) out.set(slug, hit.gallery);
        else missing.push(slug);
      }
      if (missing.length) {
        for (const g of await service.build(missing, opts)) {
          out.set(g.product.slug, remember(cacheKey(g.product.slug), { stamp: stamps.get(g.product.slug)!, gallery: g }).gallery);
        }
      }
      return slugs.map((s) => out.get(s)).filter((g): g is Gallery => !!g && g.slots.length > 0);
    },

    /** One gallery's response body and strong ETag, serialized once per stamp. */
    async oneBody(slug: string, opts: { channel?: Channel } = {}): Promise<{ json: string; etag: string } | null> {
      const [gallery] = await service.bySlugs([slug], opts);
      if (!gallery) return null;
      const entry = built.get(`${opts.channel ?? ''}|${slug}`);
      if (entry && entry.gallery === gallery && entry.json && entry.etag) return { json: entry.json, etag: entry.etag };
      const json = JSON.stringify({ data: gallery, meta: {} });
      const etag = etagOf(json);
      if (entry && entry.gallery === gallery) Object.assign(entry, { json, etag });
      return { json, etag };
    },

    /** Builds galleries from the database (products, published assets with files, slot plans). */
    async build(slugs: string[], opts: { channel?: Channel } = {}): Promise<Gallery[]> {
      const products = await service.products({ slugs });
      if (!products.length) return [];
      const ids = products.map((p) => p.id);
      const [assets, plans] = await Promise.all([service.publishedAssets(ids), service.plansFor(products)]);
      const accepted = opts.channel ? new Set<string>(CHANNEL_PRESETS[CHANNEL_PRESET_OF[opts.channel]].acceptedFormats) : undefined;
      const assetsOf = new Map<number, PublishedAssetRow[]>();
      for (const a of assets) {
        const list = assetsOf.get(a.productId) ?? [];
        list.push(a);
        assetsOf.set(a.productId, list);
      }
      const bySlug = new Map(products.map((p) => [p.slug, p]));
      return slugs
        .map((slug) => bySlug.get(slug))
        .filter((p): p is ProductRow => !!p)
        .map((p) => service.shape(p, plans.get(p.id) ?? DEFAULT_SLOT_PLAN, assetsOf.get(p.id) ?? [], accepted));
    },

    /** The public shape: a whitelist, nothing else of the product or the asset. */
    shape(product: ProductRow, plan: readonly SlotRule[], published: PublishedAssetRow[], accepted?: ReadonlySet<string>): Gallery {
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
            sources: sourcesOf(a, accepted),
          };
          images.set(a.id, image);
        }
        return image;
      };
      const slots = fillSlots(plan, published.filter((a) => a.fileUrl))
        .filter((s) => s.asset)
        .map((s) => ({ slot: s.slot, role: s.role as Role, image: imageOf(s.asset!) }));
      const updated = [product.updatedAt, ...published.map((a) => a.updatedAt)]
        .filter((d): d is Date => !!d)
        .reduce((max, d) => (d > max ? d : max), new Date(0));
      return {
        product: { documentId: product.documentId, slug: product.slug, sku: product.sku, title: product.title, category: product.category },
        slots,
        updatedAt: updated.toISOString(),
      };
    },
  };
  return service;
};

export const GALLERY_ACTIONS = ['plugin::product-gallery.gallery.find', 'plugin::product-gallery.gallery.findOne'];
