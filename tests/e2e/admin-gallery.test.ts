/**
 * The editors' workspace end to end, in Debian's Chromium against the real built app:
 * log in, create a product with a photo in the Content Manager, generate, submit, review
 * (approve one, reject one with a reason), publish, then read the gallery from the content API.
 * An Author (no publish permission) cannot publish: no button, and the server answers 403.
 *
 * Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PHOTOS_DIR } from '../support/photos';
import {
  adminApi,
  describeInBrowser,
  createAdmin,
  launchBrowser,
  login,
  openEditorSession,
  screenshot,
  stepsWithScreenshots,
  until,
  type BrowserApp,
  type EditorSession,
} from '../support/browser';

const PHOTO = path.join(PHOTOS_DIR, '04_pendant_product_turquoise-point-pendant.jpg');

jest.setTimeout(600_000);

const PRODUCT = { title: 'Turquoise Point Pendant', sku: `TQ-PEND-${Date.now().toString(36).toUpperCase()}` };

const step = stepsWithScreenshots('');

describeInBrowser('admin panel: the product gallery workflow in a real browser', () => {
  let session: EditorSession;
  let app: BrowserApp;
  let page: Page;
  let editor: { email: string; password: string };
  let author: { email: string; password: string };
  let productId = '';
  let slug = '';

  beforeAll(async () => {
    // Logging in is the first test's step, through the form.
    session = await openEditorSession({
      login: false,
      prepare: async (booted) => {
        author = await createAdmin(booted, 'strapi-author', 'Arthur');
      },
    });
    ({ app, page, editor } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  test('log in', async () => {
    await step(page, 'login', async () => {
      await login(page, app.url, editor.email, editor.password);
      await page.getByRole('link', { name: 'Product Gallery' }).waitFor();
    });
  });

  test('create a product with a source photo in the Content Manager', async () => {
    await step(page, 'create-product', async () => {
      await page.goto(`${app.url}/admin/content-manager/collection-types/plugin::product-gallery.product/create`);
      await page.locator('input[name="title"]').fill(PRODUCT.title);
      await page.locator('input[name="sku"]').fill(PRODUCT.sku);
      await page.getByRole('combobox', { name: /^category/i }).click();
      await page.getByRole('option', { name: 'pendant', exact: true }).click();
      await page.getByRole('combobox', { name: /^metal/i }).click();
      await page.getByRole('option', { name: 'silver', exact: true }).click();
      // The slug (uid) derives from the title: ask the field to regenerate it from the typed title.
      await page.locator('input[name="slug"]').locator('xpath=..').getByRole('button').first().click();
      await until('the slug', async () => /turquoise/.test(await page.locator('input[name="slug"]').inputValue()));

      // Media field: add a new asset to the Media Library and pick it.
      await page.getByText(/click to add an asset|drag (&|and) drop/i).first().click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: /add (more|new) assets/i }).first().click();
      await dialog.locator('input[type="file"]').setInputFiles(PHOTO);
      await dialog.getByRole('button', { name: /upload \d+ assets? to the library/i }).click();
      await dialog.getByRole('button', { name: /^finish$/i }).click({ timeout: 60_000 });
      await page.getByRole('dialog').waitFor({ state: 'detached' });

      await page.getByRole('button', { name: /^save$/i }).click();
      await page.waitForURL(/plugin::product-gallery\.product\/[a-z0-9]{10,}/, { timeout: 60_000 });
      productId = page.url().split('/').pop()!.split('?')[0];
      expect(productId).toMatch(/^[a-z0-9]{10,}$/);

      // The side panel shows readiness and links to the workspace.
      const panel = page.getByTestId('pg-readiness-panel');
      await panel.waitFor();
      await panel.getByText(/0 of \d+ slots published/).waitFor();
      await screenshot(page, '01-content-manager-product');
    });
    slug = (await page.locator('input[name="slug"]').inputValue()) || '';
    expect(slug).toBeTruthy();
  });

  test('overview shows the product in the readiness matrix', async () => {
    await step(page, 'overview', async () => {
      await page.getByRole('link', { name: 'Product Gallery' }).click();
      await page.getByTestId('readiness-matrix').waitFor();
      await page.locator(`[data-product="${slug}"]`).waitFor();
      await screenshot(page, '02-overview');
    });
  });

  test('generate every shot with live progress, then submit the drafts', async () => {
    await step(page, 'generate', async () => {
      await page.locator(`[data-product="${slug}"]`).click();
      await page.getByTestId('source-card').waitFor();
      await page.getByRole('button', { name: 'Generate all' }).click();
      // Live progress while shots are queued or generating.
      await page.locator('[data-asset-status]').first().waitFor({ timeout: 60_000 });
      await page.getByTestId('generation-progress').waitFor({ timeout: 10_000 }).catch(() => undefined);
      await screenshot(page, '03a-workspace-generating');
      await until(
        'generation to finish',
        async () =>
          (await page.locator('[data-asset-status]').count()) > 0 &&
          (await page.locator('[data-asset-status="queued"],[data-asset-status="generating"]').count()) === 0,
        300_000,
        1000
      );
      await screenshot(page, '03-workspace-generated');
      const statuses = await page.locator('[data-asset-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-asset-status')));
      expect(statuses.filter((s) => s === 'draft').length).toBeGreaterThanOrEqual(2);

      await page.getByRole('button', { name: /submit \d+ drafts? for review/i }).click();
      await until('drafts to be submitted', async () => (await page.locator('[data-asset-status="draft"]').count()) === 0, 60_000);
    });
  });

  let approved = '';
  let rejected = '';

  test('review: approve one shot (A), reject one with a reason (R)', async () => {
    await step(page, 'review', async () => {
      await page.getByRole('link', { name: 'Review queue' }).click();
      await page.getByTestId('review-detail').waitFor();
      // A generated shot is framed apart from its source, so the whole-frame overlay is not offered:
      // the difference map (the source placed on the shot, what differs highlighted) is shown first.
      await page.getByTestId('difference-map').locator('img[alt="Difference map"]').waitFor({ timeout: 120_000 });
      await screenshot(page, '04-review');
      const modes = page.getByRole('group', { name: 'Comparison mode' });
      expect(await modes.getByRole('button', { name: 'Overlay' }).count()).toBe(0);
      await modes.getByRole('button', { name: 'Side by side' }).click();
      await page.locator('[data-testid="compare-candidate"] img').waitFor();
      await screenshot(page, '04a-review-side-by-side');

      // Approve with the keyboard; a failed check asks for an override reason instead.
      approved = (await page.getByTestId('review-detail').getAttribute('data-asset'))!;
      await page.locator('body').press('a');
      const overrideDialog = page.getByRole('dialog');
      if (await overrideDialog.isVisible({ timeout: 1500 }).catch(() => false)) {
        await overrideDialog.locator('textarea').fill('Checked by eye against the source: stone and bail match.');
        await overrideDialog.getByRole('button', { name: /override and approve/i }).click();
      }
      await until('the next shot', async () => (await page.getByTestId('review-detail').getAttribute('data-asset').catch(() => approved)) !== approved);

      // Reject the next one with a reason.
      rejected = (await page.getByTestId('review-detail').getAttribute('data-asset'))!;
      expect(rejected).not.toBe(approved);
      await page.locator('body').press('r');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: /^reject$/i }).click();
      await dialog.getByText('A reason is required').waitFor(); // the reason is required
      await dialog.locator('textarea').fill('The turquoise looks greener than in the source photo.');
      await screenshot(page, '05-review-reject-dialog');
      await dialog.getByRole('button', { name: /^reject$/i }).click();
      await dialog.waitFor({ state: 'detached' });
    });

    const a = await adminApi(page, app.url, 'GET', `/product-gallery/assets/${approved}`);
    expect(a.body.data.status).toBe('approved');
    const r = await adminApi(page, app.url, 'GET', `/product-gallery/assets/${rejected}`);
    expect(r.body.data.status).toBe('rejected');
    expect(r.body.data.history.some((h: any) => h.to === 'rejected' && /greener/.test(h.note))).toBe(true);
  });

  test('publish the approved shot; the content API serves exactly the published shots', async () => {
    await step(page, 'publish', async () => {
      await page.goto(`${app.url}/admin/plugins/product-gallery/products/${productId}`);
      const card = page.locator(`[data-asset="${approved}"]`);
      await card.getByRole('button', { name: 'Publish' }).click();
      await page.locator(`[data-asset="${approved}"][data-asset-status="published"]`).waitFor({ timeout: 30_000 });
      await screenshot(page, '06-workspace-published');
    });

    const published = await adminApi(page, app.url, 'GET', `/product-gallery/assets?product=${productId}&status=published`);
    expect(published.status).toBe(200);
    const publishedIds = published.body.data.map((a: any) => a.documentId);
    expect(publishedIds).toEqual([approved]);
    const publishedUrls = new Set(published.body.data.map((a: any) => a.file.url));

    const res = await fetch(`${app.url}/api/product-gallery/galleries/${slug}`);
    expect(res.status).toBe(200);
    const gallery = (await res.json()).data;
    expect(gallery.product.slug).toBe(slug);
    expect(gallery.slots.length).toBeGreaterThan(0);
    // Every slot is filled by the one published shot, never by a draft, rejected or archived one.
    for (const s of gallery.slots) expect(publishedUrls.has(s.image.url)).toBe(true);

    await step(page, 'gallery-preview', async () => {
      await page.getByRole('link', { name: 'Gallery preview' }).click();
      await page.getByTestId('storefront-preview').waitFor();
      await page.locator('[data-testid="storefront-preview"] img').first().waitFor();
      await screenshot(page, '07-gallery-preview');
    });
  });

  test('briefs: list and editor with the live prompt preview', async () => {
    await step(page, 'briefs', async () => {
      await page.getByRole('link', { name: 'Briefs' }).click();
      await page.getByTestId('briefs-table').waitFor();
      await screenshot(page, '08-briefs');
      await page.locator('[data-brief="Pendants"]').getByRole('link', { name: 'Edit' }).click();
      await page.getByTestId('brief-version').waitFor();
      await page.locator('[data-testid="prompt-preview"] [data-preview-role]').first().waitFor({ timeout: 30_000 });
      await screenshot(page, '09-brief-editor');
    });
  });

  test('an Author cannot publish: no button, and the server answers 403', async () => {
    // The editor approves another shot; it waits, approved, for someone allowed to publish it.
    const queue = await adminApi(page, app.url, 'GET', `/product-gallery/assets?product=${productId}&status=in_review`);
    const pending = queue.body.data[0];
    expect(pending).toBeTruthy();
    const approve = await adminApi(page, app.url, 'POST', `/product-gallery/assets/${pending.documentId}/transition`, {
      to: 'approved',
      version: pending.version,
      override: 'Looked at it: fine for the test.',
    });
    expect(approve.status).toBe(200);

    const authorBrowser = await launchBrowser();
    const p = authorBrowser.page;
    try {
      await step(p, 'author', async () => {
        await login(p, app.url, author.email, author.password);
        await p.goto(`${app.url}/admin/plugins/product-gallery/products/${productId}`);
        const card = p.locator(`[data-asset="${pending.documentId}"][data-asset-status="approved"]`);
        await card.waitFor();
        expect(await card.getByRole('button', { name: 'Publish' }).count()).toBe(0);
        expect(await p.getByRole('button', { name: 'Publish' }).count()).toBe(0);
        expect(await p.getByRole('button', { name: 'Archive' }).count()).toBe(0);
        await screenshot(p, '10-author-workspace');

        await p.goto(`${app.url}/admin/plugins/product-gallery/review/${pending.documentId}`);
        await p.getByTestId('review-detail').waitFor();
        expect(await p.getByRole('button', { name: 'Publish' }).count()).toBe(0);
        expect(await p.getByRole('button', { name: /approve/i }).count()).toBe(0);
        await screenshot(p, '11-author-review');
      });
      // The server refuses too.
      const res = await adminApi(p, app.url, 'POST', `/product-gallery/assets/${pending.documentId}/transition`, {
        to: 'published',
        version: approve.body.data.version,
      });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBeTruthy();
      const after = await adminApi(page, app.url, 'GET', `/product-gallery/assets/${pending.documentId}`);
      expect(after.body.data.status).toBe('approved');
    } finally {
      await authorBrowser.close();
    }
  });
});
