import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { createReplicateGateway, outputUrls, ReplicateError, type ReplicateGateway } from '../../plugins/product-gallery/server/src/replicate';
import { createModelRegistry, ratioValue, UnsupportedModelError } from '../../plugins/product-gallery/server/src/models';
import { cropToRatio, fitPhotoToModel } from '../../plugins/product-gallery/server/src/pipeline/model-io';
import pluginConfig from '../../plugins/product-gallery/server/src/config';
import { startFakeReplicate, type FakeReplicate } from '../support/fake-replicate';
import { photoPath } from '../support/photos';

const registry = createModelRegistry();
const ids = registry.list().map((m) => m.id);

/**
 * Every registered model, spoken to in its own terms: the registry's input for a real product photo
 * is accepted by the fake (which holds each model's published schema and answers Replicate's 422
 * otherwise), on the endpoint the model runs on, and comes back in the model's shape.
 */
describe('model registry against the fake Replicate', () => {
  let fake: FakeReplicate;
  let gw: ReplicateGateway;
  const photo = readFileSync(photoPath('11_'));

  beforeAll(async () => {
    fake = await startFakeReplicate({ scenario: { startDelayMs: 5, latencyMs: 30 } });
    gw = createReplicateGateway({ apiToken: fake.token, baseUrl: fake.url, allowedOutputHosts: [fake.outputHost], pollIntervalMs: 20 });
  });
  afterAll(() => fake.close());

  it('knows the eight supported models, each priced above $0', () => {
    expect(ids.sort()).toEqual(
      [
        '851-labs/background-remover',
        'black-forest-labs/flux-fill-pro',
        'black-forest-labs/flux-kontext-max',
        'black-forest-labs/flux-kontext-pro',
        'bytedance/seedream-4',
        'google/nano-banana',
        'nightmareai/real-esrgan',
        'recraft-ai/recraft-remove-background',
      ].sort()
    );
    for (const m of registry.list()) expect(m.price).toBeGreaterThan(0);
  });

  it.each(ids)('%s: its input is accepted, on its endpoint, and its output has its shape', async (id) => {
    const model = registry.require(id);
    const fitted = await fitPhotoToModel(photo, 'image/jpeg', model.photo);
    const image = await gw.imageInput(fitted.bytes, fitted.mime);
    const input = registry.buildInput(model, { image, prompt: 'The same pendant worn on a neckline', negativePrompt: 'extra stones', aspectRatio: '4:5', seed: 7, scale: 2, mask: image });
    const route = registry.route(model);
    const { prediction } = await gw.createPrediction({ ...route, input, tag: `m-${id}` });
    expect(prediction.model).toBe(id);
    const done = await gw.waitForPrediction(prediction.id, { deadline: Date.now() + 10_000 });
    expect(done.status).toBe('succeeded');
    expect(Array.isArray(done.output) ? 'array' : typeof done.output).toBe(model.output.shape);
    // No model here has a negative prompt field: it is never smuggled into the prompt or input.
    expect(JSON.stringify(input)).not.toContain('extra stones');
    const out = await gw.downloadOutput(outputUrls(done)[0]!);
    const meta = await sharp(out.bytes).metadata();
    if (model.aspect) {
      // Asked for the nearest ratio the model has, it answers about that ratio.
      const asked = ratioValue(String(input[model.aspect.field]));
      expect(meta.width! / meta.height!).toBeCloseTo(asked, 1);
    }
  });

  it('maps a ratio a model lacks to its nearest one (seedream has no 4:5), then the output is cut to the exact ratio', async () => {
    const seedream = registry.require('bytedance/seedream-4');
    expect(registry.requestRatio(seedream, '4:5')).toBe('3:4');
    expect(registry.requestRatio(registry.require('black-forest-labs/flux-kontext-pro'), '4:5')).toBe('4:5');
    expect(registry.requestRatio(registry.require('google/nano-banana'), '9:21')).toBe('9:16');
    const threeFour = await sharp({ create: { width: 1536, height: 2048, channels: 3, background: '#888' } }).png().toBuffer();
    const cut = await cropToRatio(threeFour, ratioValue('4:5'));
    expect(cut).toMatchObject({ width: 1536, height: 1920, from: { width: 1536, height: 2048 } });
  });

  it('refuses a community model on the models endpoint, as Replicate does (404)', async () => {
    const err = (await gw.createPrediction({ model: 'nightmareai/real-esrgan', input: { image: 'data:image/png;base64,AAAA' }, tag: 'c404' }).catch((e) => e)) as ReplicateError;
    expect(err).toBeInstanceOf(ReplicateError);
    expect(fake.state.responses.at(-1)).toMatchObject({ operation: 'models.predictions.create', status: 404 });
  });

  it("answers Replicate's 422 body for an input outside a model's schema, and ignores unknown fields", async () => {
    const err = (await gw.createPrediction({ model: 'bytedance/seedream-4', input: { prompt: 'x', aspect_ratio: '4:5' }, tag: 'c422' }).catch((e) => e)) as ReplicateError;
    expect(err.code).toBe('invalid_input');
    const body = fake.state.responses.at(-1)!.body as any;
    expect(body).toMatchObject({ title: 'Input validation failed', status: 422, invalid_fields: [{ type: 'enum', field: 'input.aspect_ratio' }] });
    expect(body.detail).toMatch(/^- input\.aspect_ratio: aspect_ratio must be one of the following/);
    const ok = await gw.createPrediction({ model: 'black-forest-labs/flux-kontext-pro', input: { prompt: 'x', not_a_field: 1 }, tag: 'c-unknown' });
    expect(ok.prediction.status).toBe('starting');
  });

  it('cancels a prediction at its Cancel-After lifetime', async () => {
    fake.setScenario({ latencyMs: 30_000 });
    try {
      const { prediction } = await gw.createPrediction({ model: 'black-forest-labs/flux-kontext-pro', input: { prompt: 'x' }, tag: 'c-after', cancelAfter: '5s' });
      const started = Date.now();
      const done = await gw.waitForPrediction(prediction.id, { deadline: Date.now() + 15_000 });
      expect(done.status).toBe('canceled');
      expect(Date.now() - started).toBeGreaterThan(4000);
    } finally {
      fake.resetScenario();
    }
  }, 30_000);
});

describe('photo conversion before upload', () => {
  const kontext = registry.require('black-forest-labs/flux-kontext-pro').photo;
  const recraft = registry.require('recraft-ai/recraft-remove-background').photo;

  it('converts a large TIFF into a JPEG within the model limits, without its EXIF', async () => {
    const tiff = await sharp({ create: { width: 6000, height: 4500, channels: 3, background: '#a08060' } })
      .withExif({ IFD0: { Make: 'Camera', Model: 'X' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1' } })
      .tiff()
      .toBuffer();
    for (const limits of [kontext, recraft]) {
      const fitted = await fitPhotoToModel(tiff, 'image/tiff', limits);
      expect(fitted.mime).toBe('image/jpeg');
      expect(fitted.width * fitted.height).toBeLessThanOrEqual(limits.maxPixels);
      expect(Math.max(fitted.width, fitted.height)).toBeLessThanOrEqual(limits.maxSide ?? Infinity);
      expect(fitted.bytes.byteLength).toBeLessThanOrEqual(limits.maxBytes);
      const meta = await sharp(fitted.bytes).metadata();
      expect([meta.width, meta.height, meta.exif]).toEqual([fitted.width, fitted.height, undefined]);
    }
  });

  it('sends a photo that already fits as it is', async () => {
    const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#fff' } }).png().toBuffer();
    const fitted = await fitPhotoToModel(png, 'image/png', kontext);
    expect(fitted.converted).toBeNull();
    expect(fitted.bytes.equals(png)).toBe(true);
  });
});

describe('models a host app registers', () => {
  const custom = {
    id: 'acme/jewel-edit',
    kind: 'edit',
    official: false,
    version: 'a'.repeat(64),
    price: 0.02,
    use: 'House model',
    photo: { field: 'img', as: 'string', formats: ['image/png'], maxBytes: 1e7, maxPixels: 4e6 },
    prompt: { field: 'text', negativeField: 'avoid' },
    output: { shape: 'string', size: '1 MP' },
  };

  it('are described like the built-ins and routed by version', () => {
    const r = createModelRegistry([custom]);
    const m = r.require('acme/jewel-edit', { kind: 'edit' });
    expect(r.route(m)).toEqual({ version: `acme/jewel-edit:${'a'.repeat(64)}` });
    expect(r.buildInput(m, { image: 'u', prompt: 'p', negativePrompt: 'n' })).toEqual({ img: 'u', text: 'p', avoid: 'n' });
  });

  it.each([
    [{ ...custom, price: undefined }, /price/],
    [{ ...custom, price: 0 }, /price: must be a price in USD above 0/],
    [{ ...custom, version: undefined }, /version: a community model runs only by version/],
  ])('a description without what it needs stops the config at boot, naming the field (%#)', (model, message) => {
    expect(() => pluginConfig.validator({ models: [model] })).toThrow(message);
  });

  it('an unknown or pinned model is refused with the supported list, and a model of another kind too', () => {
    expect(() => registry.require('acme/unknown', { field: 'roles.1.model' })).toThrow(UnsupportedModelError);
    expect(() => registry.require('google/nano-banana:' + 'b'.repeat(64))).toThrow(/pinned version/);
    expect(() => registry.require('nightmareai/real-esrgan', { kind: 'edit' })).toThrow(/upscales images; this needs a model that edits a photo/);
  });
});
