/**
 * The review queue at speed, in Debian's Chromium against the real built app: J and K move the
 * selection (the URL, the highlighted item and the shot shown follow), A approves and moves on to
 * the next shot by itself; a shot someone else changed after the page loaded is not approved over
 * their change: the server answers 409 and the page says what happened and offers to reload,
 * after which the shot's current state shows.
 *
 * The suite's products are a small catalogue in every state, with one pendant's shots made by the
 * dispatcher itself (the local generator, real checks): the README's overview and review queue
 * pictures are taken here. Needs `npm run build` (the admin panel in dist/build) and /usr/bin/chromium.
 */
import type { Page } from 'playwright-core';
import {
  createAdmin,
  describeInBrowser,
  openEditorSession,
  readmeScreenshot,
  screenshot,
  stepsWithScreenshots,
  until,
  type BrowserApp,
  type EditorSession,
} from '../support/browser';
import { createAsset, createProduct, move, stopWorker, uploadPhoto } from '../support/fixtures';
import { createProductOrFail, uploadPhoto as uploadPhotoInCm } from '../support/products';
import type { AdminSession } from '../support/strapi';

jest.setTimeout(900_000);

const step = stepsWithScreenshots('review-keys-');

type Shot = 'clean' | 'model' | 'detail' | 'lifestyle';

/** The catalogue around the keyboard's product: each piece at another point of its day. */
const CATALOGUE: { title: string; photo: string; category: string; shots: Partial<Record<Shot, string>> }[] = [
  {
    title: 'Double Pearl Studs',
    photo: '07_earrings_product_double-pearl-studs.jpg',
    category: 'earrings',
    shots: { clean: 'published', model: 'published', detail: 'published', lifestyle: 'published' },
  },
  { title: 'Bird Chain Necklace', photo: '01_necklace_product_bird-chain.jpg', category: 'necklace', shots: { clean: 'approved', detail: 'draft' } },
  {
    title: 'Leather Anchor Bracelet',
    photo: '23_bracelet_product_leather-anchor-bracelet.jpg',
    category: 'bracelet',
    shots: { clean: 'published', detail: 'published', model: 'failed' },
  },
  { title: 'Lava Bead Buddha Bracelet', photo: '26_bracelet_product_lava-bead-buddha.jpg', category: 'bracelet', shots: {} },
  {
    title: 'Layered Turquoise Necklace',
    photo: '54_necklace_onmodel_turquoise-pendant-layered-gold.jpg',
    category: 'necklace',
    shots: { clean: 'published', model: 'published', detail: 'approved', lifestyle: 'draft' },
  },
  { title: 'Dreamcatcher Pendant', photo: '60_pendant_lifestyle_dreamcatcher-on-white-chair.jpg', category: 'pendant', shots: { clean: 'draft' } },
];

describeInBrowser('review queue: J/K, approve and move on, a change by someone else (409)', () => {
  let session: EditorSession;
  let app: BrowserApp;
  let page: Page;
  /** A second editor, in their own session (the admin API over HTTP). */
  let colleague: AdminSession;
  let craneId = '';
  let pendantId = '';
  let cleanShot = '';

  const queueUrl = (product?: string) => `${app.url}/admin/plugins/product-gallery/review${product ? `?product=${product}` : ''}`;
  const detail = () => page.getByTestId('review-detail');
  const shown = async () => (await detail().getAttribute('data-asset').catch(() => null)) ?? '';
  const queueIds = () => page.locator('[data-queue-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-queue-item') ?? ''));
  const current = () => page.locator('[data-queue-item][aria-current="true"]').getAttribute('data-queue-item');
  const urlAsset = () => new URL(page.url()).pathname.split('/review/')[1] ?? '';
  /** The shot the page shows is the one the URL names, highlighted in the queue. */
  const expectSelected = async (id: string) => {
    await until(`the shot ${id} shown`, async () => (await shown()) === id && urlAsset() === id);
    expect(await current()).toBe(id);
  };
  /** The shot as the server has it, read by the colleague. */
  const onServer = async (id: string) => (await app.http.get(`/product-gallery/assets/${id}`).set(colleague.auth)).body.data;
  const press = async (key: string) => {
    await page.locator('body').press(key);
  };

  beforeAll(async () => {
    session = await openEditorSession({
      firstname: 'Kim',
      prepare: async (booted) => {
        const nora = await createAdmin(booted, 'strapi-super-admin', 'Nora');
        const signedIn = await booted.http.post('/admin/login').send(nora);
        if (signedIn.status !== 200) throw new Error(`login: ${signedIn.status} ${JSON.stringify(signedIn.body)}`);
        const token = signedIn.body.data.token ?? signedIn.body.data.accessToken;
        colleague = { token, user: signedIn.body.data.user, auth: { Authorization: `Bearer ${token}` } };
        // The pendant's shots come from the dispatcher (the local generator), as an editor's would.
        const photo = await uploadPhotoInCm(booted, colleague, '04_pendant_product_turquoise-point-pendant.jpg');
        pendantId = (
          await createProductOrFail(booted, colleague, {
            title: 'Turquoise Point Pendant',
            sku: 'TQ-POINT-01',
            category: 'pendant',
            metal: 'silver',
            sourcePhoto: photo.id,
            dimensions: { widthMm: 30, heightMm: 52 },
          })
        ).documentId;
        const generate = await booted.http.post(`/product-gallery/products/${pendantId}/generate`).set(colleague.auth).send({ roles: ['clean', 'model', 'detail', 'size'] });
        if (generate.status !== 202) throw new Error(`generate: ${generate.status} ${JSON.stringify(generate.body)}`);
        await booted.strapi.plugin('product-gallery').service('dispatch').drain(600_000);
        const made = await booted.strapi.db.query('plugin::product-gallery.image-asset').findMany({ where: { product: { documentId: pendantId }, status: 'draft' } });
        expect(made.length).toBeGreaterThanOrEqual(3);
        for (const shot of made) {
          const submitted = await booted.http.post(`/product-gallery/assets/${shot.documentId}/transition`).set(colleague.auth).send({ to: 'in_review', version: shot.version });
          if (submitted.status !== 200) throw new Error(`submit: ${submitted.status} ${JSON.stringify(submitted.body)}`);
        }
        cleanShot = made.find((a: { role: string }) => a.role === 'clean')?.documentId ?? '';
        // From here on the suite writes every state itself.
        await stopWorker(booted);

        // The keyboard's product: three shots in review whose checks pass.
        const cranePhoto = await uploadPhoto(booted, '11_pendant_product_silver-origami-crane.jpg');
        const crane = await createProduct(booted, { title: 'Silver Origami Crane', category: 'pendant', sourcePhoto: cranePhoto.id });
        craneId = crane.documentId;
        for (const role of ['clean', 'detail', 'lifestyle'] as const) await createAsset(booted, { product: crane, role, status: 'in_review', file: cranePhoto });

        for (const item of CATALOGUE) {
          const file = await uploadPhoto(booted, item.photo);
          const product = await createProduct(booted, { title: item.title, category: item.category, sourcePhoto: file.id });
          for (const [role, state] of Object.entries(item.shots) as [Shot, string][]) {
            const start = state === 'published' ? 'approved' : state === 'failed' ? 'generating' : state;
            const asset = await createAsset(booted, { product, role, status: start, file: state === 'failed' ? null : file });
            if (state !== start) await move(booted, asset.documentId, state);
          }
        }
      },
    });
    ({ app, page } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  test('the overview: a catalogue in every state (the README picture)', async () => {
    await step(page, 'overview', async () => {
      await page.goto(`${app.url}/admin/plugins/product-gallery`);
      const rows = page.locator('[data-testid="readiness-matrix"] [data-product]');
      await until('the eight products', async () => (await rows.count()) === 8);
      // every product's photo is there before the picture is taken
      await until('the thumbnails', async () =>
        (await rows.locator('img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0)))
      );
      const cells = await rows.locator('[data-cell]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cell')));
      for (const state of ['published', 'approved', 'in_review', 'draft', 'failed', 'missing']) expect([state, cells.includes(state)]).toEqual([state, true]);
      // the whole matrix is in view: nothing scrolls sideways at 1440 px
      const hidden = await page.getByTestId('readiness-matrix').evaluate((table) => {
        let box = table.parentElement;
        while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
        return box ? box.scrollWidth - box.clientWidth : 0;
      });
      expect(hidden).toBeLessThanOrEqual(1);
      await readmeScreenshot(page, 'overview');
    });
  });

  test('the review queue: a generated shot with its checks (the README picture)', async () => {
    await step(page, 'queue', async () => {
      expect(cleanShot).toBeTruthy();
      await page.goto(`${app.url}/admin/plugins/product-gallery/review/${cleanShot}`);
      await page.locator(`[data-testid="review-detail"][data-asset="${cleanShot}"]`).waitFor();
      await page.getByTestId('qc-results').locator('[data-qc-row]').first().waitFor();
      // the difference map has its answer, not a spinner
      const map = page.getByTestId('difference-map');
      await until('the map', async () => (await map.getAttribute('data-registered').catch(() => null)) !== null, 120_000);
      await until('the images drawn', async () =>
        detail()
          .locator('img')
          .evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0))
      );
      await readmeScreenshot(page, 'review-queue');
      await screenshot(page, 'review-keys-queue');
    });
  });

  test('J and K move the selection: the URL, the highlighted item and the shot shown follow', async () => {
    await step(page, 'jk', async () => {
      await page.goto(queueUrl(craneId));
      await detail().waitFor();
      const ids = await queueIds();
      expect(ids).toHaveLength(3);
      // Nothing chosen yet: the first shot is shown, highlighted.
      await until('the first shot', async () => (await shown()) === ids[0]);
      expect(await current()).toBe(ids[0]);
      await press('j');
      await expectSelected(ids[1]);
      expect(new URL(page.url()).searchParams.get('product')).toBe(craneId);
      await press('j');
      await expectSelected(ids[2]);
      // J at the end stays on the last shot
      await press('j');
      await page.waitForTimeout(300);
      await expectSelected(ids[2]);
      await press('k');
      await expectSelected(ids[1]);
      await press('k');
      await expectSelected(ids[0]);
      await press('k');
      await page.waitForTimeout(300);
      await expectSelected(ids[0]);
      // The header teaches the keys.
      await page.getByText(/A approve · R reject · J\/K next\/previous/).waitFor();
    });
  });

  test('A approves the shot and moves on to the next one by itself', async () => {
    await step(page, 'approve-advance', async () => {
      const ids = await queueIds();
      await press('j');
      await expectSelected(ids[1]);
      await press('a');
      // approved on the server, gone from the queue, and the next shot is up without another key
      await until('the approval', async () => (await onServer(ids[1])).status === 'approved');
      await expectSelected(ids[2]);
      await until('the queue without it', async () => (await queueIds()).join() === [ids[0], ids[2]].join());
      await page.locator('[data-sonner-toast]').filter({ hasText: /^Approved: Silver Origami Crane/ }).first().waitFor();
      await screenshot(page, 'review-keys-approved-next');
    });
  });

  test('a shot someone else changed meanwhile: 409, the box says what happened, reload shows it', async () => {
    const reason = 'The crane’s left wing is cropped by the frame.';
    let target = '';
    await step(page, 'conflict', async () => {
      target = await shown();
      expect(target).toBeTruthy();
      // A colleague rejects it in their own session after this page loaded it.
      const before = (await onServer(target));
      const rejected = await app.http
        .post(`/product-gallery/assets/${target}/transition`)
        .set(colleague.auth)
        .send({ to: 'rejected', version: before.version, note: reason });
      expect(rejected.status).toBe(200);

      const answered = page.waitForResponse((r) => r.url().endsWith(`/assets/${target}/transition`));
      await page.getByRole('button', { name: 'Approve (A)' }).click();
      expect((await answered).status()).toBe(409);
      const box = page.getByTestId('conflict');
      await box.waitFor();
      const text = (await box.innerText()).replace(/\s+/g, ' ');
      expect(text).toMatch(/changed this shot/i);
      // what happened, from the server: the version this page saw and the state it is in now
      expect(text).toContain(`you saw version ${before.version}, it is now version ${before.version + 1}`);
      expect(text).toMatch(/now rejected/i);
      // no decision over the change until the page shows it
      expect(await page.getByRole('button', { name: 'Approve (A)' }).isDisabled()).toBe(true);
      await box.getByRole('button', { name: 'Reload' }).waitFor();
      await screenshot(page, 'review-keys-conflict');
      expect((await onServer(target)).status).toBe('rejected');
    });

    await step(page, 'conflict-reload', async () => {
      await page.getByTestId('conflict').getByRole('button', { name: 'Reload' }).click();
      await page.getByTestId('conflict').waitFor({ state: 'detached' });
      // the current state: rejected, with the colleague's reason, and out of the queue
      await until('the rejected state', async () => ((await detail().innerText()) ?? '').includes(reason));
      expect(await detail().innerText()).toMatch(/Rejected/);
      expect(await page.getByRole('button', { name: 'Approve (A)' }).isDisabled()).toBe(true);
      await until('the queue without it', async () => !(await queueIds()).includes(target));
      await screenshot(page, 'review-keys-after-reload');
      // out of the queue, the shot still leads back into it: Next is offered, and J takes it
      const rest = await queueIds();
      expect(rest.length).toBeGreaterThan(0);
      expect(await page.getByRole('button', { name: 'Next (J)' }).isDisabled()).toBe(false);
      await press('j');
      await expectSelected(rest[0]);
    });
  });

  test('the queue and its conflict box log no React warning of their own', () => {
    const own = session.console.filter((m) => (m.type === 'warning' || m.type === 'error') && /ReviewQueuePage|QueueItem/.test(m.text));
    expect(own).toEqual([]);
  });
});
