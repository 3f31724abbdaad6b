import type { Core } from '@strapi/strapi';
import { createPipelinePool, isPipelineError, type PipelinePool } from '../pipeline';
import { httpStatusError } from '../utils/errors';
import { getConfig } from '../utils/get-service';

/**
 * Which pool a task runs in. `heavy`: QC, renditions, source analysis and local shots (hundreds
 * of ms each). `fast`: an output's intake before it is stored (a few ms): it must not wait in line
 * behind a batch of QC work, or securing Replicate's outputs (deleted after an hour) would slow
 * to the pace of quality checks.
 */
export type Lane = 'heavy' | 'fast';

/**
 * The image pipeline behind bounded worker-thread pools: JS pixel loops never run on the
 * HTTP thread. Pipeline refusals become 4xx errors carrying the pipeline's message.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const pools: Partial<Record<Lane, PipelinePool>> = {};

  // Heavy work runs at a lower priority, so under load it yields to the HTTP thread and the fast lane.
  const ensure = (lane: Lane) =>
    (pools[lane] ??= createPipelinePool(lane === 'fast' ? { maxThreads: 1 } : { maxThreads: getConfig(strapi).pipeline.workerThreads, nice: 10 }));

  return {
    limits() {
      const { maxBytes, maxPixels, minShortSide } = getConfig(strapi).pipeline;
      return { maxBytes, maxPixels, minShortSide };
    },

    /** Worker threads of the heavy lane: how much QC can usefully run at once. */
    threads() {
      return getConfig(strapi).pipeline.workerThreads;
    },

    async run<T>(task: string, args: unknown[], field?: string, lane: Lane = 'heavy'): Promise<T> {
      try {
        return await ensure(lane).run<T>(task as never, args);
      } catch (error) {
        if (isPipelineError(error)) {
          const e = error as { status: number; message: string; code: string };
          throw httpStatusError(e.status, field ? `${field}: ${e.message}` : e.message, { code: e.code, field });
        }
        throw error;
      }
    },

    async destroy() {
      const current = Object.values(pools);
      for (const lane of Object.keys(pools) as Lane[]) delete pools[lane];
      await Promise.all(current.map((p) => p!.destroy()));
    },
  };
};
