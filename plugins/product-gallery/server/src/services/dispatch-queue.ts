import { Queue, Worker, type ConnectionOptions } from 'bullmq';

export interface QueueTransport {
  enqueue(items: Array<{ documentId: string; version: number; generator: string }>): Promise<void>;
  close(): Promise<void>;
}

interface Options {
  redisUrl: string;
  concurrency: number;
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
 * every instance's sweep enqueues what is due, and the job id (asset + version) makes those
 * adds idempotent. Replicate work has its own queue whose limiter is global across instances,
 * which is Replicate's creation rate limit; local work is only bounded by concurrency.
 */
export const createQueueTransport = async (opts: Options): Promise<QueueTransport> => {
  const connection = connectionOf(opts.redisUrl);
  const prefix = process.env.PRODUCT_GALLERY_QUEUE_PREFIX || 'product-gallery';
  const names = { local: 'generate-local', replicate: 'generate-replicate' } as const;
  const queues = {
    local: new Queue(names.local, { connection, prefix }),
    replicate: new Queue(names.replicate, { connection, prefix }),
  };
  const workers: Worker[] = [];
  if (opts.worker) {
    const processor = async (job: { data: { documentId: string } }) => opts.run(job.data.documentId);
    workers.push(
      new Worker(names.local, processor, { connection, prefix, concurrency: opts.concurrency }),
      new Worker(names.replicate, processor, {
        connection,
        prefix,
        concurrency: opts.concurrency,
        // One job start per 60000/perMinute ms: exact for any rate (a per-second max rounded
        // 10/min up to 60/min) and smooth (a window of N lets N start at once, which a provider
        // counting over a sliding second answers with 429s). Like the in-process token bucket.
        limiter: { max: 1, duration: Math.max(1, Math.round(60_000 / Math.max(1, opts.creationsPerMinute))) },
      })
    );
    for (const w of workers) w.on('failed', (job, err) => opts.log.error(`[product-gallery] job ${job?.id} failed: ${err.message}`));
  }
  return {
    async enqueue(items) {
      for (const item of items) {
        const queue = item.generator === 'replicate' ? queues.replicate : queues.local;
        await queue.add('generate', { documentId: item.documentId }, {
          jobId: `${item.documentId}-${item.version}`,
          removeOnComplete: { age: 3600, count: 10_000 },
          removeOnFail: { age: 24 * 3600 },
        });
      }
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
};
