/**
 * The size guide from the workspace, in Debian's Chromium against the real built app: its
 * Generate button on the shot list queues it, the dispatcher draws it (the product at true scale
 * beside a millimetre ruler and a coin) and the card shows the image; a product whose record has
 * no width or height gets no guessed scale: its card says the shot was refused and which
 * dimension to add.
 *
 * Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import {
  adminApi,
  describeInBrowser,
  openEditorSession,
  screenshot,
  SCREENSHOTS,
  stepsWithScreenshots,
  until,
  type BrowserApp,
  type EditorSession,
} from '../support/browser';
import { adminSession } from '../support/strapi';
import { createProductOrFail, uploadPhoto } from '../support/products';

jest.setTimeout(600_000);

const step = stepsWithScreenshots('size-guide-');
const PHOTO = '04_pendant_product_turquoise-point-pendant.jpg';

describeInBrowser('the size guide: generated from the workspace, refused without dimensions', () => {
  let session: EditorSession;
  let app: BrowserApp;
  let page: Page;
  let measured = '';
  let unmeasured = '';

  const sizeCard = () => page.locator('[data-asset-role="size"]');
  const generateSizeGuide = async (productId: string) => {
    await page.goto(`${app.url}/admin/plugins/product-gallery/products/${productId}`);
    const button = page.getByTestId('shot-list').getByRole('button', { name: 'Generate Size guide' });
    await until('the Generate button', async () => (await button.count()) === 1 && !(await button.isDisabled()), 60_000);
    await button.click();
  };

  beforeAll(async () => {
    session = await openEditorSession({
      firstname: 'Sam',
      prepare: async (booted) => {
        const setup = await adminSession(booted);
        const product = async (sku: string, dimensions: Record<string, number>) => {
          const photo = await uploadPhoto(booted, setup, PHOTO);
          return (await createProductOrFail(booted, setup, { title: 'Turquoise Point Pendant', sku, category: 'pendant', metal: 'silver', sourcePhoto: photo.id, dimensions })).documentId;
        };
        measured = await product('TQ-SIZE-30x52', { widthMm: 30, heightMm: 52 });
        // a drop and a chain length say how it hangs, not how big the piece is
        unmeasured = await product('TQ-SIZE-NONE', { pendantDropMm: 30, chainLengthMm: 450 });
      },
    });
    ({ app, page } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  test('Generate on the size guide row: the dispatcher draws it and the card shows the picture', async () => {
    let fileUrl = '';
    await step(page, 'generate', async () => {
      await generateSizeGuide(measured);
      await until('the size guide drawn', async () => (await sizeCard().getAttribute('data-asset-status').catch(() => null)) === 'draft', 300_000, 1000);
      const image = sizeCard().locator('img').first();
      await until('the picture on the card', async () => image.evaluate((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).catch(() => false));
      await screenshot(page, 'size-guide-workspace');
      await sizeCard().screenshot({ path: path.join(SCREENSHOTS, 'size-guide-card.png') });
      const id = (await sizeCard().getAttribute('data-asset'))!;
      const asset = await adminApi(page, app.url, 'GET', `/product-gallery/assets/${id}`);
      expect(asset.status).toBe(200);
      expect(asset.body.data.provenance).toMatchObject({ generator: 'local', method: 'size-guide', scale: { longSideMm: 52 } });
      fileUrl = asset.body.data.file.url;
    });

    // The full-size image, as the storefront would get it.
    const res = await fetch(new URL(fileUrl, app.url));
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    fs.writeFileSync(path.join(SCREENSHOTS, 'size-guide-full.jpg'), bytes);
    const meta = await sharp(bytes).metadata();
    expect(meta.width).toBe(1600);
  });

  test('without width or height the size guide is refused, and the card says which dimension to add', async () => {
    await step(page, 'refused', async () => {
      await generateSizeGuide(unmeasured);
      await until('the refusal', async () => (await sizeCard().getAttribute('data-asset-status').catch(() => null)) === 'failed', 300_000, 1000);
      const text = (await sizeCard().innerText()).replace(/\s+/g, ' ');
      expect(text).toMatch(/needs the product's real width or height in millimetres/);
      expect(text).toMatch(/Dimensions: width mm, height mm/);
      expect(await sizeCard().locator('img').count()).toBe(0);
      await screenshot(page, 'size-guide-refused');
      // Made again as it is, it would fail again: the card leads to the record, where the fix is.
      await sizeCard().getByTestId('edit-product-record').click();
      await page.waitForURL((u) => u.pathname.endsWith(`/content-manager/collection-types/plugin::product-gallery.product/${unmeasured}`));
      await page.getByText(/width/i).first().waitFor();
    });
  });
});
