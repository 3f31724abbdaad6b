import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import winston from 'winston';
import { startApp, adminSession, type TestApp, type AdminSession } from '../support/strapi';
import { createProduct, uploadPhoto } from '../support/products';
import { appEnvFor, startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';

const ASSET = 'plugin::product-gallery.image-asset';
const AUDIT = 'plugin::product-gallery.audit-event';

/**
 * The Replicate token is the shop's money: it must appear in no answer of the admin API, no log
 * line and no stored error, whatever Replicate answers. A recognizable token is configured; the
 * fake Replicate server accepts it, then answers 401, 422 and 500 on demand; every log line the
 * app writes (its logger at every level, and anything printed to stdout or stderr) and every
 * admin API answer is kept and searched.
 */
describe('the Replicate token stays secret', () => {
  const secret = crypto.randomBytes(12).toString('hex');
  const token = `r8_SECRETTOKEN${secret}`;
  let fake: FakeReplicate;
  let app: TestApp;
  let admin: AdminSession;
  let productId: string;
  const logs: string[] = [];
  const answers: Array<{ what: string; text: string }> = [];
  const restore: Array<() => void> = [];

  /** Every admin API call goes through here, so its whole answer (status line, headers, body) is kept. */
  const call = async (method: 'get' | 'post', url: string, body?: unknown) => {
    const req = (app.http as any)[method](url).set(admin.auth);
    const res = await (body === undefined ? req : req.send(body));
    answers.push({ what: `${method.toUpperCase()} ${url} ${res.status}`, text: `${res.status} ${JSON.stringify(res.headers)} ${res.text}` });
    return res;
  };
  const settle = async () => {
    await app.strapi.plugin('product-gallery').service('dispatch').drain(60_000);
  };
  const generateModel = async () => {
    const res = await call('post', `/product-gallery/products/${productId}/generate`, { roles: ['model'] });
    expect(res.status).toBe(202);
    const documentId = res.body.data.assets[0].documentId as string;
    await settle();
    const asset = await app.strapi.db.query(ASSET).findOne({ where: { documentId } });
    // Out of the live set, so the next case can generate the role again.
    await app.strapi.db.query(ASSET).update({ where: { id: asset.id }, data: { status: 'failed' } });
    return asset;
  };

  beforeAll(async () => {
    // Whatever reaches stdout or stderr from this process (console, loggers, libraries).
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: any, ...rest: any[]) => {
        logs.push(String(chunk));
        return write(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    fake = await startFakeReplicate({ token, log: true });
    app = await startApp({
      env: {
        ...appEnvFor(fake),
        REPLICATE_POLL_INTERVAL_MS: '50',
        REPLICATE_REQUEST_TIMEOUT_MS: '1500',
        REPLICATE_PREFER_WAIT_SEC: '1',
        REPLICATE_HTTP_ATTEMPTS: '2',
        PRODUCT_GALLERY_BACKOFF_MS: '50',
        PRODUCT_GALLERY_MAX_ATTEMPTS: '2',
        PRODUCT_GALLERY_TICK_MS: '100',
      },
    });
    // Every level of the app's own logger, into the same record (its console keeps to warnings).
    for (const transport of app.strapi.log.transports) transport.level = 'warn';
    app.strapi.log.level = 'silly';
    app.strapi.log.add(
      new winston.transports.Stream({
        level: 'silly',
        format: winston.format.combine(winston.format.errors({ stack: true }), winston.format.json()),
        stream: new Writable({
          write(chunk, _enc, done) {
            logs.push(String(chunk));
            done();
          },
        }),
      })
    );
    admin = await adminSession(app);
    // A necklace photo, made a product over the Content Manager API (its photo is analysed).
    const { id: sourcePhoto } = await uploadPhoto(app, admin, '01_necklace_product_bird-chain.jpg');
    const necklace = { title: 'Bird chain necklace', sku: 'NECK-BIRD-SECRET', category: 'necklace', metal: 'silver', dimensions: { chainLengthMm: 450 } };
    const created = await createProduct(app, admin, { ...necklace, sourcePhoto });
    expect(created.status).toBe(201);
    productId = created.body.data.documentId;
  });
  afterAll(async () => {
    for (const r of restore) r();
    await app?.stop();
    await fake?.close();
  });

  it('is used: the fake Replicate server saw it on the requests', async () => {
    const asset = await generateModel();
    expect(asset.status).toBe('draft');
    expect(fake.state.requests.some((r) => String(r.headers.authorization ?? '').includes(token))).toBe(true);
  });

  const failures: Array<[string, () => void, string]> = [
    ['401 (token refused)', () => fake.setScenario({ faults: [{ status: 401 }, { status: 401 }, { status: 401 }, { status: 401 }] }), 'failed'],
    ['422 (input refused)', () => fake.setScenario({ faults: [{ status: 422 }, { status: 422 }, { status: 422 }, { status: 422 }] }), 'failed'],
    // Replicate down: retried (its tries do not count), so the shot is drafted once it answers.
    ['500 on eight tries in a row', () => fake.setScenario({ faults: Array.from({ length: 8 }, () => ({ status: 500 })) }), 'draft'],
    ['a failed prediction', () => fake.setScenario({ outcome: 'failed', errorMessage: 'CUDA out of memory' }), 'failed'],
  ];
  it.each(failures)('a shot that meets %s ends with a message where it failed, without the token', async (_name, arrange, status) => {
    fake.resetScenario();
    arrange();
    const before = fake.state.responses.filter((r: any) => r.status >= 500).length;
    const asset = await generateModel();
    expect(asset.status).toBe(status);
    if (status === 'failed') expect(asset.error).toEqual(expect.any(String));
    // Drafted only after the 500s were met and answered (what the last test searches for the token).
    if (status === 'draft') expect(fake.state.responses.filter((r: any) => r.status >= 500).length - before).toBeGreaterThanOrEqual(8);
    fake.resetScenario();
  });

  it('the AI cutout, failing on a 401 and on a 500, answers without the token', async () => {
    for (const status of [401, 500]) {
      fake.setScenario({ faults: Array.from({ length: 4 }, () => ({ status })) });
      const res = await call('post', `/product-gallery/products/${productId}/reference/ai`, {});
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.body.error.message).toEqual(expect.any(String));
      fake.resetScenario();
    }
  });

  it('appears in no admin API answer, no log line and no stored error', async () => {
    // Everything an editor's screens read after all of the above.
    await call('get', '/product-gallery/config');
    await call('get', `/product-gallery/products/${productId}`);
    await call('get', `/product-gallery/progress?product=${productId}`);
    await call('get', '/product-gallery/progress');
    const list = await call('get', `/product-gallery/assets?product=${productId}&pageSize=100`);
    expect(list.body.data.length).toBeGreaterThanOrEqual(failures.length + 1);
    for (const a of list.body.data) await call('get', `/product-gallery/assets/${a.documentId}`);
    await call('get', `/product-gallery/products/${productId}/reference/history`);

    // The record is real: the failures were logged and answered.
    expect(logs.join('').length).toBeGreaterThan(0);
    expect(answers.filter((a) => /\s[45]\d\d$/.test(a.what)).length).toBeGreaterThan(0);

    // Neither the token nor its secret part (without the r8_ prefix), anywhere.
    const leaks = (text: string) => text.includes(token) || text.includes(secret);
    expect(answers.filter((a) => leaks(a.text)).map((a) => a.what)).toEqual([]);
    expect(logs.filter(leaks)).toEqual([]);
    const stored = [
      ...(await app.strapi.db.query(ASSET).findMany({ select: ['error', 'provenance', 'prompt'] })),
      ...(await app.strapi.db.query(AUDIT).findMany({ select: ['note', 'qc'] })),
    ];
    expect(stored.filter((row) => leaks(JSON.stringify(row)))).toEqual([]);
  });
});
