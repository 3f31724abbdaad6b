import type { Core } from '@strapi/strapi';
import { createPipelinePool, isPipelineError, type PipelinePool } from '../pipeline';
import { httpStatusError } from '../utils/errors';
import { getConfig } from '../utils/get-service';

/**
 * The image pipeline behind a bounded worker-thread pool: JS pixel loops never run on the
 * HTTP thread. Pipeline refusals become 4xx errors carrying the pipeline's message.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  let pool: PipelinePool | null = null;

  const ensure = () => {
    if (!pool) pool = createPipelinePool({ maxThreads: getConfig(strapi).pipeline.workerThreads });
    return pool;
  };

  return {
    limits() {
      const { maxBytes, maxPixels, minShortSide } = getConfig(strapi).pipeline;
      return { maxBytes, maxPixels, minShortSide };
    },

    async run<T>(task: string, args: unknown[], field?: string): Promise<T> {
      try {
        return await ensure().run<T>(task as never, args);
      } catch (error) {
        if (isPipelineError(error)) {
          const e = error as { status: number; message: string; code: string };
          throw httpStatusError(e.status, field ? `${field}: ${e.message}` : e.message, { code: e.code, field });
        }
        throw error;
      }
    },

    async destroy() {
      const current = pool;
      pool = null;
      await current?.destroy();
    },
  };
};
