import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { createModelRegistry, UnsupportedModelError, type ModelDescription, type ModelKind, type ModelRegistry } from '../models';
import { getConfig } from '../utils/get-service';

/** The model registry of this app's config, and its refusals as errors an editor can act on. */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  let cached: { models: unknown[]; registry: ModelRegistry } | null = null;

  const registry = (): ModelRegistry => {
    const { models } = getConfig(strapi);
    if (cached?.models !== models) cached = { models, registry: createModelRegistry(models) };
    return cached.registry;
  };

  return {
    registry,

    /**
     * The model, or a 400 at `path` (a brief's field) that lists what is supported; `label` is
     * the field as the editor's form names it, when there is one.
     */
    require(id: string | null | undefined, opts: { path: (string | number)[]; label?: string; kind?: ModelKind }): ModelDescription {
      try {
        return registry().require(id, { field: opts.label ?? opts.path.join('.'), kind: opts.kind });
      } catch (error) {
        if (!(error instanceof UnsupportedModelError)) throw error;
        throw new errors.ValidationError(error.message, { errors: [{ path: opts.path.map(String), message: error.message, name: 'ValidationError' }] });
      }
    },
  };
};
