/**
 * A tiny promise limiter: at most `n` tasks in flight. Used to bound how many sharp pipelines a
 * delivery pack runs at once (each pipeline holds a libuv thread and its own libvips buffers).
 */
import os from 'os';
import { createGate } from '../utils/gate';

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(n: number): Limiter {
  // The plugin's one semaphore (the dispatcher's gate), as a task wrapper.
  const gate = createGate(Math.max(1, Math.floor(n)));
  return async <T>(task: () => Promise<T>) => {
    const release = await gate.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/**
 * Default number of sharp pipelines in flight for one pack: one per core (at least 2), never more
 * than libuv's threadpool (UV_THREADPOOL_SIZE, default 4) can run. Measured on the 2-core box
 * (bench/images.ts, sharp.concurrency() = 1 on glibc without jemalloc): 2 in flight is as fast as
 * 4 (or the unbounded "floor") and peaks ~70 MB lower, since every pipeline in flight holds its
 * own full-size intermediate buffers (resized raw, WebP/AVIF encoder frames).
 */
export function defaultPipelineConcurrency(): number {
  const uv = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(2, Math.min(uv, cores));
}
