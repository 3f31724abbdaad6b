import type { Core } from '@strapi/strapi';
import { createPipelinePool, isPipelineError, type PipelineError, type PipelinePool } from '../pipeline';
import { tooManyBytes } from '../pipeline/intake';
import type { TaskArgs, TaskResult } from '../pipeline/tasks';
import type { PipelineTaskName } from '../pipeline/worker';
import { httpStatusError, unavailable } from '../utils/errors';
import { createGate } from '../utils/gate';
import { getConfig } from '../utils/get-service';

/**
 * Which pool a task runs in. `heavy`: QC, renditions, source analysis and local shots (hundreds
 * of ms each). `fast`: an output's intake before it is stored (a few ms): it must not wait in line
 * behind a batch of QC work, or securing Replicate's outputs (deleted after an hour) would slow
 * to the pace of quality checks.
 */
export type Lane = 'heavy' | 'fast';

/** What a refused request is told to wait: an import or a pack takes a few seconds per thread. */
const RETRY_AFTER_SEC = 5;

/** A pipeline refusal as the HTTP error an editor gets, naming the field it is about. */
const refusal = (error: PipelineError, field?: string) => {
  if (error.code === 'busy') return unavailable(error.message, RETRY_AFTER_SEC, { code: error.code });
  return httpStatusError(error.status, field ? `${field}: ${error.message}` : error.message, { code: error.code, field });
};

/**
 * The image pipeline behind bounded worker-thread pools: JS pixel loops never run on the
 * HTTP thread. Pipeline refusals become 4xx errors carrying the pipeline's message.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const pools: Partial<Record<Lane, PipelinePool>> = {};
  // Requests that need the pipeline, as many at once as it has threads; a few more wait their
  // turn (pipeline.maxQueue) and the rest are told to come back. Background stages are not
  // admitted here: the dispatcher runs a fixed number at once, and a refusal would fail a shot.
  let requests: { gate: ReturnType<typeof createGate>; limit: number } | null = null;
  const requestGate = () => (requests ??= { gate: createGate(getConfig(strapi).pipeline.workerThreads), limit: getConfig(strapi).pipeline.maxQueue });

  // Heavy work runs at a lower priority, so under load it yields to the HTTP thread and the fast lane.
  const ensure = (lane: Lane) =>
    (pools[lane] ??= createPipelinePool(lane === 'fast' ? { maxThreads: 1 } : { maxThreads: getConfig(strapi).pipeline.workerThreads, nice: 10 }));

  return {
    limits() {
      const { maxBytes, maxPixels, minShortSide } = getConfig(strapi).pipeline;
      return { maxBytes, maxPixels, minShortSide };
    },

    /** Tasks waiting for a thread of a lane (none before the lane's first task). */
    queued(lane: Lane = 'heavy') {
      return pools[lane]?.queueSize ?? 0;
    },

    /** Requests waiting in the line for their turn (admit), beyond the ones being served. */
    waiting() {
      return requests?.gate.waiting ?? 0;
    },

    /** Worker threads of the heavy lane: how much QC can usefully run at once. */
    threads() {
      return getConfig(strapi).pipeline.workerThreads;
    },

    /**
     * Runs a request's image work when its turn comes, or refuses it at once with a 503 and a
     * Retry-After (see utils/errors.ts) when the line is full: a burst of imports, packs, analyses,
     * previews or difference maps waits in a bounded line instead of piling up image buffers in
     * memory. Admitted work must not ask to be admitted again (it would wait for itself).
     * `paid`: work on something already paid for (a prediction's output) waits its turn even when
     * the line is full, since refusing it would throw away what was bought.
     */
    async admit<T>(work: () => Promise<T>, { paid = false }: { paid?: boolean } = {}): Promise<T> {
      const { gate, limit } = requestGate();
      if (!paid && gate.held >= gate.limit && gate.waiting >= limit) {
        throw unavailable(`The image pipeline is busy with other requests (${gate.waiting} waiting). Try again in ${RETRY_AFTER_SEC} seconds.`, RETRY_AFTER_SEC, {
          code: 'busy',
        });
      }
      const release = await gate.acquire();
      try {
        return await work();
      } finally {
        release();
      }
    },

    async run<K extends PipelineTaskName>(task: K, args: TaskArgs<K>, field?: string, lane: Lane = 'heavy'): Promise<TaskResult<K>> {
      try {
        return await ensure(lane).run<TaskResult<K>>(task, args);
      } catch (error) {
        throw isPipelineError(error) ? refusal(error, field) : error;
      }
    },

    /** Refuses a file over the byte limit by its size alone, before it is read into memory. */
    assertSize(bytes: number, field?: string) {
      const { maxBytes } = getConfig(strapi).pipeline;
      if (bytes > maxBytes) throw refusal(tooManyBytes(bytes, maxBytes), field);
    },

    async destroy() {
      const current = Object.values(pools);
      for (const lane of Object.keys(pools) as Lane[]) delete pools[lane];
      await Promise.all(current.map((p) => p!.destroy()));
    },
  };
};
