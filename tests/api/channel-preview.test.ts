import sharp from 'sharp';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, publishedGallery, stopWorker, uploadPhoto } from '../support/fixtures';
import { readZip } from '../support/zip';
import { binary } from '../support/http';
import type { ChannelPreview, ChannelPreviewFile } from '../../plugins/product-gallery/shared/contracts/channel-preview';

/** The fields the contract gives the answer and each of its files (true: always sent; `fill` only where the product was framed). */
const PREVIEW_FIELDS = { product: true, channel: true, notes: true, presets: true, files: true } satisfies Record<keyof ChannelPreview, true>;
const FILE_FIELDS = {
  name: true,
  position: true,
  slots: true,
  role: true,
  asset: true,
  preset: true,
  label: true,
  format: true,
  mime: true,
  width: true,
  height: true,
  bytes: true,
  quality: true,
  upscaled: true,
  framing: true,
  fill: false,
  meetsRules: true,
  notes: true,
  breaks: true,
  alt: true,
  preview: true,
} satisfies Record<keyof ChannelPreviewFile, boolean>;

/** The app, an editor, and an on-model photo (3:2) published in every role but clean: Amazon MAIN falls back to the model shot. */
const boot = async () => {
  const app = await startApp();
  await stopWorker(app);
  const file = await uploadPhoto(app, '54_necklace_onmodel_turquoise-pendant-layered-gold.jpg');
  return { app, admin: await adminSession(app), gallery: await publishedGallery(app, { file, roles: ['model', 'detail', 'lifestyle'] }) };
};

describe('channel preview: the files a channel pack holds, its rules, and the rules each file breaks', () => {
  let app: TestApp;
  let admin: AdminSession;
  let gallery: Awaited<ReturnType<typeof boot>>['gallery'];

  beforeAll(async () => ({ app, admin, gallery } = await boot()));
  afterAll(() => app?.stop());

  const preview = (documentId: string, channel: string, qs = '') => app.http.get(`/product-gallery/products/${documentId}/channels/${channel}/preview${qs}`).set(admin.auth);
  const pack = (documentId: string, channel: string) =>
    app.http.get(`/product-gallery/products/${documentId}/pack?channel=${channel}`).set(admin.auth).buffer(true).parse(binary);

  it('Amazon: the model shot as MAIN breaks "no model" and "white background"; the sizes are the pack’s', async () => {
    const res = await preview(gallery.product.documentId, 'amazon');
    expect(res.status).toBe(200);
    const data = res.body.data;
    const sku = gallery.product.sku;
    // Exactly the contract's fields, which the admin reads.
    expect(Object.keys(data).sort()).toEqual(Object.keys(PREVIEW_FIELDS).sort());
    for (const f of data.files) {
      const sent = Object.keys(f);
      expect(sent.filter((k) => !(k in FILE_FIELDS))).toEqual([]);
      expect(Object.entries(FILE_FIELDS).filter(([k, always]) => always && !sent.includes(k))).toEqual([]);
    }
    expect(data.files[0].fill).toEqual(expect.any(Number));
    expect(data.files.map((f: any) => [f.name, f.role, f.preset])).toEqual([
      [`${sku}.MAIN.jpg`, 'model', 'amazon-main'],
      [`${sku}.PT01.jpg`, 'detail', 'amazon-additional'],
      [`${sku}.PT02.jpg`, 'lifestyle', 'amazon-additional'],
    ]);
    expect(data.notes.join(' ')).toMatch(/No clean/);
    expect(data.presets.map((p: any) => p.id)).toEqual(['amazon-main', 'amazon-additional']);
    const mainRules = Object.fromEntries(data.presets[0].rules.map((r: any) => [r.id, r.text]));
    expect(mainRules.background).toBe('Pure white background (255, 255, 255)');
    expect(mainRules.forbidden).toMatch(/mannequin or model/);
    expect(mainRules.format).toMatch(/^JPEG/);
    const [main, pt1] = data.files;
    expect(main.breaks.map((b: any) => b.rule)).toEqual(['no-model', 'background']);
    expect(main.breaks[0]).toMatchObject({ level: 'fail', text: expect.stringMatching(/no mannequin or model/) });
    // The same shot is allowed as an additional image.
    expect(pt1.breaks).toEqual([]);

    // The pack holds exactly these files: same names, formats, pixel sizes and bytes.
    const zip = readZip((await pack(gallery.product.documentId, 'amazon')).body).filter((e) => e.name !== 'manifest.json');
    expect(zip.map((e) => e.name)).toEqual(data.files.map((f: any) => f.name));
    for (const f of data.files) {
      const entry = zip.find((e) => e.name === f.name)!;
      const meta = await sharp(entry.data).metadata();
      expect([f.name, meta.format, meta.width, meta.height, entry.data.length]).toEqual([f.name, f.format, f.width, f.height, f.bytes]);
      // The on-screen preview is the same picture, smaller, at the file's aspect.
      expect(f.preview).toMatch(/^data:image\/jpeg;base64,/);
      const small = await sharp(Buffer.from(f.preview.split(',')[1], 'base64')).metadata();
      expect(Math.max(small.width!, small.height!)).toBeLessThanOrEqual(480);
      expect(small.width! / small.height!).toBeCloseTo(f.width / f.height, 1);
    }
  });

  it('email: at most 1200 px wide, JPEG, under 1 MB; square and 2:3 channels crop the 3:2 photo instead of padding it', async () => {
    const email = (await preview(gallery.product.documentId, 'email')).body.data;
    expect(email.files.length).toBe(3);
    for (const f of email.files) {
      expect(f.width).toBeLessThanOrEqual(1200);
      expect(f.format).toBe('jpeg');
      expect(f.bytes).toBeLessThanOrEqual(1024 * 1024);
      expect(f.breaks).toEqual([]);
    }
    expect(email.presets[0].rules.find((r: any) => r.id === 'size').text).toMatch(/at most 1200 px wide/);
    const pin = (await preview(gallery.product.documentId, 'pinterest', '?size=200')).body.data;
    for (const f of pin.files) {
      expect([f.width / f.height, f.framing]).toEqual([2 / 3, 'crop']);
      const small = await sharp(Buffer.from(f.preview.split(',')[1], 'base64')).metadata();
      expect(small.height).toBe(200);
    }
  });

  it('400 naming the channel for an unknown one, 400 for a bad size, 404 for an unknown product, 409 when nothing is published', async () => {
    const bad = await preview(gallery.product.documentId, 'myspace');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/channel.*must be one of amazon, etsy, shopify, google, meta, pinterest, email/);
    const size = await preview(gallery.product.documentId, 'etsy', '?size=5000');
    expect(size.status).toBe(400);
    expect(size.body.error.message).toMatch(/size.*at most 1024/);
    const extra = await preview(gallery.product.documentId, 'etsy', '?format=webp');
    expect(extra.status).toBe(400);
    expect((await preview('abcdefghijklmnopqrstuvwx', 'etsy')).status).toBe(404);
    const empty = await createProduct(app);
    const none = await preview(empty.documentId, 'etsy');
    expect(none.status).toBe(409);
    expect(none.body.error.message).toMatch(/no published images/);
  });

  it('needs the plugin read action', async () => {
    const role = await app.strapi.service('admin::role').create({ name: 'No preview', description: 'no plugin permissions' });
    const code = (await app.strapi.db.query('admin::role').findOne({ where: { id: role.id } })).code;
    const nobody = await adminSession(app, { roleCode: code });
    const url = `/product-gallery/products/${gallery.product.documentId}/channels/amazon/preview`;
    expect((await app.http.get(url).set(nobody.auth)).status).toBe(403);
    expect((await app.http.get(url)).status).toBe(401);
  });
});
