/**
 * The storefront's pure shaping: which published image fills each slot (with fallbacks), the
 * sources a storefront gets for one image, and the file names a channel pack uses.
 */
import type { SlotRule } from '../../plugins/product-gallery/server/src/domain/default-briefs';
import { DEFAULT_SLOT_PLAN } from '../../plugins/product-gallery/server/src/domain/slot-plan';
import { fillSlots, sourcesOf, type PublishedAssetRow } from '../../plugins/product-gallery/server/src/domain/gallery-shape';
import { channelFileName } from '../../plugins/product-gallery/server/src/services/pack';

const row = (over: Partial<PublishedAssetRow> = {}): PublishedAssetRow => ({
  id: 1,
  documentId: 'doc-1',
  productId: 1,
  role: 'clean',
  alt: null,
  focalPoint: null,
  width: 2000,
  height: 2000,
  renditions: null,
  placeholder: null,
  sourceType: null,
  scenePreview: false,
  updatedAt: null,
  fileId: 10,
  fileUrl: '/uploads/clean.jpg',
  fileMime: 'image/jpeg',
  fileWidth: 2000,
  fileHeight: 2000,
  fileAlt: null,
  fileFormats: null,
  fileExt: '.jpg',
  ...over,
});

describe('fillSlots: the first role of each slot that has a published image', () => {
  it('fills grid and hero with one clean image, gallery-2 falls back to the size guide, empty slots say so', () => {
    const clean = { role: 'clean', id: 1 };
    const size = { role: 'size', id: 2 };
    const filled = fillSlots(DEFAULT_SLOT_PLAN, [clean, size]);
    expect(filled.map((s) => [s.slot, s.role, s.asset?.id ?? null])).toEqual([
      ['grid', 'clean', 1],
      ['hero', 'clean', 1],
      ['gallery-2', 'size', 2],
      ['gallery-3', null, null],
      ['campaign', null, null],
    ]);
  });

  it('prefers a model shot to the size guide once one is published, and the first listed of a role (newest first)', () => {
    const filled = fillSlots(DEFAULT_SLOT_PLAN, [
      { role: 'size', id: 2 },
      { role: 'model', id: 5 },
      { role: 'model', id: 3 },
    ]);
    expect(filled.find((s) => s.slot === 'gallery-2')).toMatchObject({ role: 'model', asset: { id: 5 } });
    // with no clean image, the grid falls back to the model shot
    expect(filled.find((s) => s.slot === 'grid')).toMatchObject({ role: 'model', asset: { id: 5 } });
  });

  it('follows a brief’s own plan, not the default one', () => {
    const plan: SlotRule[] = [{ slot: 'hero', roles: ['lifestyle', 'clean'] }];
    expect(fillSlots(plan, [{ role: 'clean', id: 1 }, { role: 'lifestyle', id: 9 }])).toEqual([
      { slot: 'hero', roles: ['lifestyle', 'clean'], role: 'lifestyle', asset: { role: 'lifestyle', id: 9 } },
    ]);
  });
});

describe('sourcesOf: what a storefront gets to build srcset from', () => {
  it('uses the stored renditions, adds the original once, sorted by width then AVIF, WebP, JPEG', () => {
    const sources = sourcesOf(
      row({
        renditions: JSON.stringify([
          { url: '/uploads/c-800.jpg', width: 800, height: 800, format: 'jpeg' },
          { url: '/uploads/c-800.webp', width: 800, height: 800, format: 'webp' },
          { url: '/uploads/c-800.avif', width: 800, height: 800, format: 'avif' },
          { url: '/uploads/c-400.webp', width: 400, height: 400, format: 'webp' },
          { url: '', width: 10, height: 10, format: 'jpeg' },
        ]),
      })
    );
    expect(sources.map((s) => `${s.width} ${s.format}`)).toEqual(['400 webp', '800 avif', '800 webp', '800 jpeg', '2000 jpeg']);
    expect(sources.at(-1)).toEqual({ url: '/uploads/clean.jpg', width: 2000, height: 2000, format: 'jpeg' });
  });

  it('falls back to the Media Library’s own formats when there are no renditions', () => {
    const sources = sourcesOf(row({ fileFormats: { small: { url: '/uploads/small_clean.jpg', width: 500, height: 500, mime: 'image/jpeg' } } }));
    expect(sources.map((s) => s.url)).toEqual(['/uploads/small_clean.jpg', '/uploads/clean.jpg']);
  });

  it('keeps only the formats a channel accepts', () => {
    const sources = sourcesOf(
      row({ renditions: [{ url: '/uploads/c.webp', width: 800, height: 800, format: 'webp' }, { url: '/uploads/c.jpg', width: 800, height: 800, format: 'jpeg' }] }),
      new Set(['jpeg'])
    );
    expect(sources.map((s) => s.format)).toEqual(['jpeg', 'jpeg']);
  });
});

describe('channelFileName: each channel’s naming convention', () => {
  const product = { sku: 'RING 01/ÉM', slug: 'emerald-ring' };
  it.each([
    ['amazon', 0, 'grid', 'RING-01-M.MAIN.jpg'],
    ['amazon', 3, 'gallery-3', 'RING-01-M.PT03.jpg'],
    ['google', 0, 'grid', 'RING-01-M-main.jpg'],
    ['google', 2, 'gallery-2', 'RING-01-M-additional-2.jpg'],
    ['etsy', 0, 'grid', 'emerald-ring-01.jpg'],
    ['shopify', 1, 'hero', 'emerald-ring-2.jpg'],
    ['meta', 4, 'campaign', 'RING-01-M-5.jpg'],
    ['pinterest', 0, 'grid', 'emerald-ring-pin-1.jpg'],
    ['email', 1, 'gallery-2', 'emerald-ring-gallery-2@2x.jpg'],
  ] as const)('%s #%i (%s) -> %s', (channel, index, slot, expected) => {
    expect(channelFileName(channel, product, index, slot, 'jpg')).toBe(expected);
  });
  it('never names a file with nothing: an SKU of only symbols becomes "product"', () => {
    expect(channelFileName('amazon', { sku: '///', slug: 'x' }, 0, 'grid', 'jpg')).toBe('product.MAIN.jpg');
  });
});
