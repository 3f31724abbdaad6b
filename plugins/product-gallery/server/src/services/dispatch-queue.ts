import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import { creationIntervalMs } from '../utils/rate-limit';

const CREATIONS_PER_WORKER = 2;

/**
 * local: local shots, and preparing Replicate ones. replicate: creating a prepared prediction
 * (rate-limited). complete: waiting for a created prediction and securing its output. check: QC
 * and renditions of a secured output.
 */
export type QueueName = 'local' | 'replicate' | 'complete' | 'check';

export interface QueueTransport {
  enqueue(items: Array<{ documentId: string; version: number; queue: QueueName }>): Promise<void>;
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

const connectionOf = (url: string): ConnectionOptions => {
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
 * claim moves) makes those adds idempotent. Creating a Replicate prediction has its own queue
 * whose limiter is global across instances: Replicate's creation rate limit. Its jobs are kept
 * short (send the prepared request, record it, end): BullMQ's worker fetches past a rate limit
 * only as its jobs finish, so preparing or waiting inside them would slow the creations.
 */
export const createQueueTransport = async (opts: Options): Promise<QueueTransport> => {
  const connection = connectionOf(opts.redisUrl);
  const prefix = process.env.PRODUCT_GALLERY_QUEUE_PREFIX || 'product-gallery';
  const names: Record<QueueName, string> = { local: 'generate-local', replicate: 'generate-replicate', complete: 'generate-complete', check: 'generate-check' };
  const queues = Object.fromEntries(Object.entries(names).map(([k, name]) => [k, new Queue(name, { connection, prefix })])) as Record<QueueName, Queue>;
  const workers: Worker[] = [];
  if (opts.worker) {
    const processor = async (job: { data: { documentId: string } }) => opts.run(job.data.documentId);
    workers.push(
      new Worker(names.local, processor, { connection, prefix, concurrency: opts.concurrency }),
      new Worker(names.complete, processor, { connection, prefix, concurrency: opts.concurrency }),
      new Worker(names.check, processor, { connection, prefix, concurrency: opts.checkConcurrency }),
      // Several workers share the creation concurrency: while rate-limited, a BullMQ worker fetches
      // its next job only when one of its running jobs ends, so one worker would create at the pace
      // of its jobs, not of the limit.
      ...Array.from({ length: Math.ceil(opts.concurrency / CREATIONS_PER_WORKER) }, () =>
        new Worker(names.replicate, processor, {
          connection,
          prefix,
          concurrency: Math.min(opts.concurrency, CREATIONS_PER_WORKER),
          // One job start per interval: exact for any rate, and smooth (a window of N lets N start
          // at once, which a provider counting over a sliding second answers with 429s).
          limiter: { max: 1, duration: Math.max(1, Math.ceil(creationIntervalMs(opts.creationsPerMinute))) },
        })
      )
    );
    for (const w of workers) w.on('failed', (job, err) => opts.log.error(`[product-gallery] job ${job?.id} failed: ${err.message}`));
  }
  // Every sweep offers all due work again; adding a job id BullMQ already holds is a no-op, but
  // still a round trip per asset and tick. What this process added recently is not offered again.
  const recentlyAdded = new Map<string, number>();
  const RECENT_MS = 30_000;
  return {
    async enqueue(items) {
      const now = Date.now();
      for (const [id, at] of recentlyAdded) if (now - at > RECENT_MS) recentlyAdded.delete(id);
      for (const item of items) {
        const jobId = `${item.documentId}-${item.version}`;
        if (recentlyAdded.has(jobId)) continue;
        recentlyAdded.set(jobId, now);
        await queues[item.queue].add('generate', { documentId: item.documentId }, {
          jobId,
          removeOnComplete: { age: 3600, count: 10_000 },
          // A failed job must not block its id: the sweep re-adds what the database says is due.
          removeOnFail: true,
        });
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
};
