import { nearestRatio } from './aspect';
import { fluxFillPro } from './adapters/flux-fill';
import { fluxKontextMax, fluxKontextPro } from './adapters/flux-kontext';
import { nanoBanana } from './adapters/nano-banana';
import { realEsrgan } from './adapters/real-esrgan';
import { labs851BackgroundRemover, recraftRemoveBackground } from './adapters/background-removers';
import { seedream4 } from './adapters/seedream';
import { modelDescriptionSchema, type ModelDescription, type ModelDescriptionInput, type ModelKind, type ModelRequest, type ModelRoute } from './types';

export const BUILT_IN_MODELS: readonly ModelDescriptionInput[] = [
  fluxKontextPro,
  fluxKontextMax,
  nanoBanana,
  seedream4,
  recraftRemoveBackground,
  labs851BackgroundRemover,
  fluxFillPro,
  realEsrgan,
];

/** A model id the registry cannot run; `field` names what to correct. */
export class UnsupportedModelError extends Error {
  constructor(
    message: string,
    readonly field: string
  ) {
    super(message);
  }
}

const KIND_WORDS: Record<ModelKind, string> = {
  edit: 'edits a photo into a scene',
  cutout: 'removes backgrounds',
  inpaint: 'fills a masked area',
  upscale: 'upscales images',
};

export interface ModelRegistry {
  list(): ModelDescription[];
  get(id: string): ModelDescription | undefined;
  /** The model, or an error naming `field` that says what is supported. */
  require(id: string | null | undefined, opts?: { field?: string; kind?: ModelKind }): ModelDescription;
  /** Where its creation goes: official models by name, community ones by `owner/name:version`. */
  route(model: ModelDescription): ModelRoute;
  /** The ratio sent to the model (nearest it offers), or undefined when it keeps the input's. */
  requestRatio(model: ModelDescription, wanted: string | undefined): string | undefined;
  /** The model's own input for a request: only its fields, in its shapes. */
  buildInput(model: ModelDescription, request: ModelRequest): Record<string, unknown>;
  /** The upscaler used to bring an output to a role's minimum. */
  upscaler(): ModelDescription;
  /** The factor that brings `longEdge` to at least `minLongEdge`, within the upscaler's limit. */
  upscaleFactor(model: ModelDescription, longEdge: number, minLongEdge: number): number;
}

/**
 * The supported models: the built-in adapters, then the host app's (plugin config `models`),
 * which may also replace a built-in one by id (a new price or version). Each is validated here, so a
 * bad description stops the app at boot with the field named.
 */
export function createModelRegistry(extra: readonly unknown[] = []): ModelRegistry {
  const byId = new Map<string, ModelDescription>();
  const add = (raw: unknown, where: string) => {
    const parsed = modelDescriptionSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UnsupportedModelError(`${where}: ${issue.path.join('.')}: ${issue.message}`, `${where}.${issue.path.join('.')}`);
    }
    byId.set(parsed.data.id, parsed.data);
  };
  BUILT_IN_MODELS.forEach((m) => add(m, `built-in model ${m.id}`));
  extra.forEach((m, i) => add(m, `models[${i}]`));

  const registry: ModelRegistry = {
    list: () => [...byId.values()],
    get: (id) => byId.get(id),
    require(id, opts = {}) {
      const field = opts.field ?? 'model';
      const wanted = (id ?? '').trim();
      const candidates = [...byId.values()].filter((m) => !opts.kind || m.kind === opts.kind).map((m) => m.id);
      if (!wanted) throw new UnsupportedModelError(`${field}: name a Replicate model (${candidates.join(', ')}).`, field);
      const model = byId.get(wanted);
      if (!model) {
        const pinned = wanted.includes(':') ? ' A pinned version runs only when the model is registered with it in the plugin config (models).' : '';
        throw new UnsupportedModelError(
          `${field}: "${wanted}" is not a supported model. Use one of ${candidates.join(', ')}, or register it with its inputs and price in the plugin config (models).${pinned}`,
          field
        );
      }
      if (opts.kind && model.kind !== opts.kind) {
        throw new UnsupportedModelError(`${field}: ${model.id} ${KIND_WORDS[model.kind]}; this needs a model that ${KIND_WORDS[opts.kind]} (${candidates.join(', ')}).`, field);
      }
      return model;
    },
    route: (model) => (model.official ? { model: model.id } : { version: `${model.id}:${model.version}` }),
    requestRatio(model, wanted) {
      if (!model.aspect || !wanted) return undefined;
      return nearestRatio(wanted, model.aspect.ratios);
    },
    buildInput(model, request) {
      const input: Record<string, unknown> = { ...model.fixedInput };
      input[model.photo.field] = model.photo.as === 'array' ? [request.image] : request.image;
      if (model.prompt && request.prompt) input[model.prompt.field] = request.prompt;
      if (model.prompt?.negativeField && request.negativePrompt) input[model.prompt.negativeField] = request.negativePrompt;
      const ratio = registry.requestRatio(model, request.aspectRatio);
      if (model.aspect && ratio) input[model.aspect.field] = ratio;
      if (model.seedField && request.seed !== undefined) input[model.seedField] = request.seed;
      if (model.scale && request.scale !== undefined) input[model.scale.field] = Math.min(model.scale.max, request.scale);
      if (request.mask !== undefined && model.kind === 'inpaint') input.mask = request.mask;
      return input;
    },
    upscaler() {
      const found = [...byId.values()].find((m) => m.kind === 'upscale');
      if (!found) throw new UnsupportedModelError('models: no upscaler is registered, so outputs below a role minimum cannot be brought to size.', 'models');
      return found;
    },
    upscaleFactor(model, longEdge, minLongEdge) {
      const max = model.scale?.max ?? 4;
      return Math.min(max, Math.max(2, Math.ceil(minLongEdge / Math.max(1, longEdge))));
    },
  };
  return registry;
}
