/**
 * The editor's day in Debian's Chromium against the real built app: the overview shows each
 * slot's own state (draft, in review, approved, published), its search and filters live in the
 * URL, a search that hides everything offers to clear the filters, the matrix fits from 1024 px
 * to wide screens, and the workspace's shot list keeps every Generate button on its card at 1024
 * and 1440 px.
 *
 * Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  describeInBrowser,
  openEditorSession,
  screenshot,
  SCREENSHOTS,
  stepsWithScreenshots,
  until,
  type BrowserApp,
  type EditorSession,
} from '../support/browser';
import { createAsset, createProduct, move, uploadPhoto } from '../support/fixtures';

jest.setTimeout(600_000);

const step = stepsWithScreenshots('overview-states-');
const TAG = `Ov${Date.now().toString(36)}`;
const STAGES = ['draft', 'in_review', 'approved', 'published'] as const;

describeInBrowser('overview: slot states, search in the URL, clear filters; workspace fits its card', () => {
  let session: EditorSession;
  let app: BrowserApp;
  let page: Page;
  const ids: Record<string, { documentId: string; slug: string }> = {};
  const overview = () => `${app.url}/admin/plugins/product-gallery`;
  const rows = () => page.locator('[data-testid="readiness-matrix"] [data-product]');

  beforeAll(async () => {
    session = await openEditorSession({
      quietWorker: true,
      firstname: 'Olga',
      prepare: async (booted) => {
        const file = await uploadPhoto(booted);
        // One product per stage, each with its clean shot (which fills the grid slot) at that stage.
        for (const stage of STAGES) {
          const product = await createProduct(booted, { title: `${TAG} ${stage.replace('_', ' ')} studs`, sourcePhoto: file.id });
          const asset = await createAsset(booted, { product, role: 'clean', status: stage === 'published' ? 'approved' : stage, file });
          if (stage === 'published') await move(booted, asset.documentId, 'published');
          ids[stage] = { documentId: product.documentId, slug: product.slug };
        }
      },
    });
    ({ app, page } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  test('each product’s grid slot shows its own state, and the legend counts what the matrix shows', async () => {
    await step(page, 'states', async () => {
      await page.goto(`${overview()}?q=${TAG}`);
      await until('the four products', async () => (await rows().count()) === 4);
      for (const stage of STAGES) {
        const row = page.locator(`[data-product="${ids[stage].slug}"]`);
        // Grid is the first planned slot column: its cell carries the server's state.
        expect(await row.locator('[data-cell]').first().getAttribute('data-cell')).toBe(stage);
      }
      const shown = await rows().locator('[data-cell]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cell')));
      for (const state of ['published', 'approved', 'in_review', 'draft', 'missing']) {
        const legend = await page.locator(`[data-legend="${state}"]`).innerText();
        expect([state, Number(legend.match(/(\d+)\s*$/)?.[1])]).toEqual([state, shown.filter((s) => s === state).length]);
      }
      // One product has a shot in review: the count says products, and shots beside it.
      await page.getByTestId('count-awaiting').getByText(/Products awaiting review/i).waitFor();
      expect(await page.getByTestId('count-awaiting').innerText()).toMatch(/Products awaiting review\s*1\s*1 shot in review/i);
      await screenshot(page, 'overview-states-1440');
    });
  });

  test('search sends the query, narrows the rows and stays in the URL across a reload', async () => {
    await step(page, 'search', async () => {
      await page.goto(overview());
      await page.getByTestId('readiness-matrix').waitFor();
      const box = page.getByRole('searchbox').or(page.locator('input[name="q"]')).first();
      await box.fill(`${TAG} approved`);
      await box.press('Enter');
      await until('the search in the URL', async () => new URL(page.url()).searchParams.get('q') === `${TAG} approved`);
      await until('one row', async () => (await rows().count()) === 1);
      expect(await rows().first().getAttribute('data-product')).toBe(ids.approved.slug);
      await page.reload();
      await until('one row after reload', async () => (await rows().count()) === 1);
      expect(await page.locator('input[name="q"]').inputValue()).toBe(`${TAG} approved`);
      await screenshot(page, 'overview-search');
    });
  });

  test('when the filters hide everything, the empty state says so and clears them', async () => {
    await step(page, 'empty', async () => {
      await page.goto(`${overview()}?q=${TAG}-nothing-like-this&awaiting=true`);
      const empty = page.getByTestId('overview-empty');
      await empty.getByText('No product matches the search and filters.').waitFor();
      expect(await empty.getByText(/create a product/i).count()).toBe(0);
      await screenshot(page, 'overview-empty-filtered');
      await empty.getByRole('button', { name: 'Clear filters' }).click();
      await until('the filters gone from the URL', async () => new URL(page.url()).search === '');
      await until('rows again', async () => (await rows().count()) >= 4);
      expect(await page.locator('input[name="q"]').inputValue()).toBe('');
    });
  });

  for (const width of [1024, 1280, 1440, 1920]) {
    test(`overview at ${width} px: the whole matrix in view, every row's review column on screen`, async () => {
      await step(page, `overview-${width}`, async () => {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(overview());
        await until('rows', async () => (await rows().count()) >= 4);
        const matrix = page.getByTestId('readiness-matrix');
        const hidden = await matrix.evaluate((table) => {
          let box = table.parentElement;
          while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
          return box ? box.scrollWidth - box.clientWidth : 0;
        });
        expect(hidden).toBeLessThanOrEqual(1);
        const viewport = page.viewportSize()!;
        for (const row of await rows().all()) {
          const cells = row.locator('td');
          const last = (await cells.last().boundingBox())!;
          expect(last.x + last.width).toBeLessThanOrEqual(viewport.width);
          // every slot cell still tells its state: a mark and a name (tooltip and screen readers) in a narrow matrix
          for (const badge of await row.locator('[data-cell]').all()) {
            expect(await badge.getAttribute('title')).toMatch(/\w/);
            expect((await badge.innerText()).trim().length).toBeGreaterThan(0);
          }
        }
        await screenshot(page, `overview-${width}`);
      });
    });
  }

  for (const width of [1024, 1440]) {
    test(`workspace at ${width} px: every Generate button is on the shot list's card and in the viewport`, async () => {
      await step(page, `workspace-${width}`, async () => {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(`${app.url}/admin/plugins/product-gallery/products/${ids.draft.documentId}`);
        const card = page.getByTestId('shot-list');
        await card.locator('[data-role]').first().waitFor();
        const buttons = card.getByRole('button', { name: /^Generate (?!all)/i });
        await until('the Generate buttons', async () => (await buttons.count()) === (await card.locator('[data-role]').count()));
        const cardBox = (await card.boundingBox())!;
        const viewport = page.viewportSize()!;
        for (const button of await buttons.all()) {
          await button.scrollIntoViewIfNeeded();
          const b = (await button.boundingBox())!;
          const c = (await card.boundingBox())!;
          const name = await button.getAttribute('aria-label');
          expect([name, b.x >= c.x, b.x + b.width <= c.x + c.width + 0.5, b.x + b.width <= viewport.width]).toEqual([name, true, true, true]);
        }
        // The card itself is not wider than its column allows: nothing scrolls sideways.
        expect(cardBox.x + cardBox.width).toBeLessThanOrEqual(viewport.width);
        const overflow = await card.evaluate((el) => el.scrollWidth - el.clientWidth);
        expect(overflow).toBeLessThanOrEqual(1);
        await screenshot(page, `workspace-${width}`);
        // The admin scrolls inside its own container: the card itself, where the buttons are.
        await card.screenshot({ path: path.join(SCREENSHOTS, `workspace-shot-list-${width}.png`) });
      });
    });
  }
});
