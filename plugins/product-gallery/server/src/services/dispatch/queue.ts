import { Queue, Worker } from 'bullmq';
import IORedis, { type RedisOptions } from 'ioredis';
import { createSharedRateLimiter, type CreationLimiter } from '../../utils/rate-limit';

/**
 * generate: making a local shot, or preparing and creating a Replicate prediction (the instance
 * that creates it then awaits it). complete: awaiting a prediction whose instance is gone, and
 * securing its output. check: QC and renditions of a secured output.
 */
export type QueueName = 'generate' | 'complete' | 'check';

export interface QueueTransport {
  enqueue(items: Array<{ documentId: string; version: number; queue: QueueName }>): Promise<void>;
  /** Replicate's creation rate limit, global across the instances sharing this Redis. */
  creationLimiter: CreationLimiter;
  /** true: this instance takes no new check jobs for now (its running ones finish). */
  holdChecks(hold: boolean): Promise<void>;
  close(): Promise<void>;
}

interface Options {
  redisUrl: string;
  concurrency: number;
  /** Jobs of the check queue at once per instance (they keep the pipeline threads busy). */
  checkConcurrency: number;
  creationsPerMinute: number;
  /** false: this instance only enqueues (an API-only instance); a worker process runs the jobs. */
  worker: boolean;
  run(documentId: string): Promise<void>;
  log: { error(msg: string): void };
}

const connectionOf = (url: string): RedisOptions => {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password || undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    maxRetriesPerRequest: null,
  };
};

/**
 * Several instances share dispatch through BullMQ. The database stays the source of truth:
 * every instance's sweep enqueues what is due, and the job id (asset + version, which every
 * claim moves) makes those adds idempotent. Replicate's creation rate limit is kept, across
 * instances, by reserving each creation's send time in Redis right before it is sent
 * (utils/rate-limit.ts), not by a queue limiter: a generate job prepares, waits for its time,
 * creates, and its instance then awaits the prediction outside the job.
 */
export const createQueueTransport = async (opts: Options): Promise<QueueTransport> => {
  const connection = connectionOf(opts.redisUrl);
  const prefix = process.env.PRODUCT_GALLERY_QUEUE_PREFIX || 'product-gallery';
  const names: Record<QueueName, string> = { generate: 'generate', complete: 'complete', check: 'check' };
  const queues = Object.fromEntries(Object.entries(names).map(([k, name]) => [k, new Queue(name, { connection, prefix })])) as Record<QueueName, Queue>;
  const redis = new IORedis({ ...connection, maxRetriesPerRequest: 3 });
  const workers: Worker[] = [];
  let checkWorker: Worker | null = null;
  let checksHeld = false;
  if (opts.worker) {
    const processor = async (job: { data: { documentId: string } }) => opts.run(job.data.documentId);
    checkWorker = new Worker(names.check, processor, { connection, prefix, concurrency: opts.checkConcurrency });
    workers.push(
      new Worker(names.generate, processor, { connection, prefix, concurrency: opts.concurrency }),
      new Worker(names.complete, processor, { connection, prefix, concurrency: opts.concurrency }),
      checkWorker
    );
    for (const w of workers) w.on('failed', (job, err) => opts.log.error(`[product-gallery] job ${job?.id} failed: ${err.message}`));
  }
  // Every sweep offers all due work again; adding a job id BullMQ already holds is a no-op, but
  // still a round trip per asset and tick. What this process added recently is not offered again.
  const recentlyAdded = new Map<string, number>();
  const RECENT_MS = 30_000;
  return {
    creationLimiter: createSharedRateLimiter(redis, `${prefix}:replicate-creations`, opts.creationsPerMinute),
    async holdChecks(hold) {
      if (!checkWorker || hold === checksHeld) return;
      checksHeld = hold;
      if (hold) await checkWorker.pause(true);
      else checkWorker.resume();
    },
    async enqueue(items) {
      const now = Date.now();
      for (const [id, at] of recentlyAdded) if (now - at > RECENT_MS) recentlyAdded.delete(id);
      const byQueue = new Map<QueueName, Array<{ name: string; data: { documentId: string }; opts: Record<string, unknown> }>>();
      for (const item of items) {
        const jobId = `${item.documentId}-${item.version}`;
        if (recentlyAdded.has(jobId)) continue;
        recentlyAdded.set(jobId, now);
        if (!byQueue.has(item.queue)) byQueue.set(item.queue, []);
        byQueue.get(item.queue)!.push({
          name: 'generate',
          data: { documentId: item.documentId },
          opts: {
            jobId,
            removeOnComplete: { age: 3600, count: 10_000 },
            // A failed job must not block its id: the sweep re-adds what the database says is due.
            removeOnFail: true,
          },
        });
      }
      // One round trip per queue (a sweep at start offers every due asset at once).
      await Promise.all([...byQueue].map(([queue, jobs]) => queues[queue].addBulk(jobs)));
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(Object.values(queues).map((q) => q.close()));
      redis.disconnect();
    },
  };
};
