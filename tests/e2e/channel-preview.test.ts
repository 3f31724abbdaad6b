/**
 * The channel preview in Debian's Chromium against the real built app: choosing a channel on the
 * gallery page shows the files that channel's pack holds (at their channel aspect, with name, size,
 * format and KB), the channel's rules, and a warning on each file that breaks one; the pack the
 * page downloads holds exactly those files.
 *
 * Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import fs from 'node:fs';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { describeInBrowser, openEditorSession, readmeScreenshot, screenshot, stepsWithScreenshots, until, type EditorSession } from '../support/browser';
import { createAsset, createProduct, move, uploadBuffer, uploadPhoto } from '../support/fixtures';
import { photoPath } from '../support/photos';
import { readZip } from '../support/zip';

jest.setTimeout(600_000);

const step = stepsWithScreenshots('channel-preview-');

/** What a file card shows: name, "W×H · FORMAT · N KB", its aspect on screen and the rules it breaks. */
const cards = async (page: Page) =>
  page.locator('[data-testid="channel-preview"] [data-channel-file]').evaluateAll((els) =>
    els.map((el) => {
      const img = el.querySelector('img') as HTMLImageElement | null;
      return {
        name: el.getAttribute('data-channel-file')!,
        facts: (el.querySelector('[data-file-facts]') as HTMLElement).innerText.trim(),
        shown: img ? { w: img.naturalWidth, h: img.naturalHeight } : null,
        breaks: [...el.querySelectorAll('[data-rule-break]')].map((b) => ({ rule: b.getAttribute('data-rule-break')!, text: (b as HTMLElement).innerText })),
      };
    })
  );

const parseFacts = (facts: string) => {
  const m = /^(\d+)×(\d+) · (\w+) · (\d+) KB$/.exec(facts);
  if (!m) throw new Error(`unexpected file facts "${facts}"`);
  return { width: Number(m[1]), height: Number(m[2]), format: m[3], kb: Number(m[4]) };
};

/** A square close-up of the on-model photo's turquoise drop (left of centre, low in the frame), at its own pixels. */
const detailOf = async (file: string) => {
  const bytes = fs.readFileSync(photoPath(file.slice(0, 3)));
  const { width, height } = await sharp(bytes).metadata();
  const side = Math.round(Math.min(width!, height!) * 0.55);
  const left = Math.max(0, Math.round(width! * 0.41 - side / 2));
  const top = Math.max(0, Math.min(height! - side, Math.round(height! * 0.62 - side / 2)));
  return sharp(bytes).extract({ left, top, width: side, height: side }).jpeg({ quality: 92 }).toBuffer();
};

describeInBrowser('gallery page: a channel shows its own files, its rules and what breaks them', () => {
  let session: EditorSession;
  let page: Page;
  let product: { documentId: string; sku: string; slug: string };

  beforeAll(async () => {
    session = await openEditorSession({
      quietWorker: true,
      prepare: async (app) => {
        // A published gallery without a clean shot: Amazon's MAIN falls back to the model shot.
        const model = await uploadPhoto(app, '54_necklace_onmodel_turquoise-pendant-layered-gold.jpg');
        product = await createProduct(app, { title: 'Layered Turquoise Necklace', sourcePhoto: model.id });
        const shots = [
          ['model', model],
          // the necklace's own close-up: its turquoise drop, cut from the photo (a small crop, enlarged by the channel)
          ['detail', await uploadBuffer(app, await detailOf('54_necklace_onmodel_turquoise-pendant-layered-gold.jpg'), 'necklace-detail.jpg')],
          ['lifestyle', await uploadPhoto(app, '60_pendant_lifestyle_dreamcatcher-on-white-chair.jpg')],
        ] as const;
        for (const [role, file] of shots) {
          const a = await createAsset(app, { product, role, status: 'approved', file });
          await move(app, a.documentId, 'published');
        }
      },
    });
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
  });

  const choose = async (label: string) => {
    await page.getByRole('combobox', { name: 'Channel' }).click();
    await page.getByRole('option', { name: label, exact: true }).click();
  };

  let email: Awaited<ReturnType<typeof cards>> = [];

  test('Email: three files at most 1200 px wide, JPEG, named <slug>-<slot>@2x.jpg', async () => {
    await step(page, 'email', async () => {
      await page.goto(`${session.app.url}/admin/plugins/product-gallery/gallery/${product.documentId}`);
      await page.getByTestId('storefront-preview').waitFor();
      await choose('Email');
      await page.locator('[data-testid="channel-preview"] [data-channel-file]').first().waitFor({ timeout: 120_000 });
      email = await cards(page);
      expect(email.length).toBe(3);
      for (const c of email) expect(c.name.startsWith(`${product.slug}-`) && c.name.endsWith('@2x.jpg')).toBe(true);
      for (const c of email) {
        const f = parseFacts(c.facts);
        expect(f.width).toBeLessThanOrEqual(1200);
        expect(f.format).toBe('JPEG');
        expect(f.kb).toBeLessThanOrEqual(1024);
        // Only an honest note where a small source (the 540 px earrings) had to be enlarged to 600 px.
        expect(c.breaks.filter((b) => b.rule !== 'upscaled')).toEqual([]);
        // The picture on screen is the file at its own aspect.
        expect(c.shown!.w / c.shown!.h).toBeCloseTo(f.width / f.height, 1);
      }
      const rules = await page.locator('[data-channel-rules="email"]').innerText();
      expect(rules).toMatch(/at most 1200 px wide/);
      expect(rules).toMatch(/No WebP, AVIF/);
    });
  });

  test('Amazon: a square MAIN flagged for its model, other sizes than Email, and the pack holds what the page shows', async () => {
    await step(page, 'amazon', async () => {
      await choose('Amazon');
      await until('the Amazon files', async () => (await page.locator(`[data-channel-file="${product.sku}.MAIN.jpg"]`).count()) === 1, 120_000);
      const amazon = await cards(page);
      expect(amazon.map((c) => c.name)).toEqual([`${product.sku}.MAIN.jpg`, `${product.sku}.PT01.jpg`, `${product.sku}.PT02.jpg`]);
      const [main, ...rest] = amazon;
      const mainFacts = parseFacts(main.facts);
      expect(mainFacts.width).toBe(mainFacts.height);
      expect(main.shown!.w).toBe(main.shown!.h);
      // Amazon's additional images: at least the 1000 px that turns on zoom and at most 2000 px on
      // the long side (a source is enlarged only up to the zoom size), whatever the photos' size.
      for (const c of rest) {
        const f = parseFacts(c.facts);
        expect([c.name, Math.max(f.width, f.height) >= 1000 && Math.max(f.width, f.height) <= 2000]).toEqual([c.name, true]);
      }
      expect(amazon.map((c) => c.facts)).not.toEqual(email.map((c) => c.facts));
      expect(main.breaks.map((b) => b.rule)).toContain('no-model');
      expect(main.breaks.find((b) => b.rule === 'no-model')!.text).toMatch(/Breaks “no mannequin or model”[\s\S]*model shot shows a person/);
      expect(rest.every((c) => !c.breaks.some((b) => b.rule === 'no-model'))).toBe(true);
      const rules = await page.locator('[data-channel-rules="amazon-main"]').innerText();
      expect(rules).toMatch(/Pure white background/);
      expect(rules).toMatch(/mannequin or model/);
      expect(await page.getByTestId('channel-preview-summary').innerText()).toMatch(/1 file breaks a channel rule/);

      // The README's picture: the files, the rules and the warning, from the top of the page.
      await page.locator('[data-testid="channel-preview"]').scrollIntoViewIfNeeded();
      await page.evaluate(() => document.querySelectorAll<HTMLElement>('main, div').forEach((el) => el.scrollTop > 0 && (el.scrollTop = 0)));
      await readmeScreenshot(page, 'channel-preview');
      await screenshot(page, 'channel-preview-amazon');

      // The pack from the same page: same names, pixel sizes, formats and KB as shown.
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 180_000 }), page.locator('[data-pack="amazon"]').click()]);
      expect(download.suggestedFilename()).toBe(`${product.sku}-amazon.zip`);
      const entries = readZip(fs.readFileSync((await download.path())!)).filter((e) => e.name !== 'manifest.json');
      expect(entries.map((e) => e.name)).toEqual(amazon.map((c) => c.name));
      for (const c of amazon) {
        const entry = entries.find((e) => e.name === c.name)!;
        const meta = await sharp(entry.data).metadata();
        const f = parseFacts(c.facts);
        expect([c.name, meta.width, meta.height, meta.format, Math.round(entry.data.length / 1024)]).toEqual([c.name, f.width, f.height, f.format.toLowerCase(), f.kb]);
      }
    });
  });

  test('no React warnings from the page', () => {
    // React's own warnings (keys, DOM nesting, props); Strapi's React Router future-flag notices are not ours.
    const react = session.console.filter((m) => /^Warning: |validateDOMNesting|unique "key"/.test(m.text));
    expect(react).toEqual([]);
  });
});
