/**
 * A bounded worker pool (piscina) for the pipeline's CPU-heavy steps, so the HTTP server's event
 * loop stays responsive. sharp's own work already runs on libuv threads; what this pool takes off
 * the main thread is the synchronous JS around it (pixel loops in cutout, QC measures, sharpness,
 * product box) and the result bookkeeping.
 *
 * Buffers: the results' Buffers are transferred (moved) back, never structured-clone copied; the
 * arguments are copied unless you pass { move: true }, which transfers them and leaves the
 * caller's Buffers detached (length 0).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Piscina } from 'piscina';
import { PipelineError, pipelineErrorFromJSON, type PipelineErrorJSON } from './errors';
import { prepareTransfer, reviveBuffers } from './transfer';
import type { DiagnosticTask, PipelineTaskName, PipelineTaskRequest, PipelineTaskResponse } from './worker';

export interface PipelinePoolOptions {
  /** Worker threads (default: cores - 1, at least 1; on a 2-core box 1 thread leaves a core to HTTP). */
  maxThreads?: number;
  minThreads?: number;
  /**
   * Tasks that may wait for a thread; run() refuses more with a PipelineError `busy` (503).
   * Default: unbounded, for callers that bound themselves (the dispatcher runs a fixed number of
   * stages at once); work that comes from requests is bounded by the caller (services/pipeline.ts).
   */
  maxQueue?: number;
  /** Milliseconds an idle thread lives (default 30 s). */
  idleTimeout?: number;
  /** Nice value for the pool's threads (0-19; Linux applies it per thread). Default 0. */
  nice?: number;
  /** Path of the worker entry (default: worker-entry.js next to this file, or worker-entry.ts from sources). */
  filename?: string;
}

export interface RunOptions {
  /** Transfer the arguments' Buffers instead of copying them (the caller's Buffers become unusable). */
  move?: boolean;
  signal?: AbortSignal;
}

export interface PipelinePool {
  run<T = unknown>(name: PipelineTaskName | DiagnosticTask, args?: unknown[], opts?: RunOptions): Promise<T>;
  readonly threads: number;
  readonly queueSize: number;
  readonly completed: number;
  destroy(): Promise<void>;
}

/** The worker entry to hand piscina: compiled JS when present, else the (JS-compatible) TS source. */
export function resolveWorkerEntry(dir: string = __dirname): string {
  for (const f of ['worker-entry.js', 'worker-entry.ts']) {
    const p = path.join(dir, f);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`Pipeline worker entry not found in ${dir} (worker-entry.js or worker-entry.ts).`);
}

export function defaultPoolThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, cores - 1);
}

export function createPipelinePool(opts: PipelinePoolOptions = {}): PipelinePool {
  const maxThreads = Math.max(1, opts.maxThreads ?? defaultPoolThreads());
  const piscina = new Piscina({
    filename: opts.filename ?? resolveWorkerEntry(),
    maxThreads,
    minThreads: Math.min(maxThreads, opts.minThreads ?? 1),
    idleTimeout: opts.idleTimeout ?? 30_000,
    workerData: { nice: opts.nice ?? 0 },
  });
  return {
    async run<T>(name: PipelineTaskRequest['name'], args: unknown[] = [], runOpts: RunOptions = {}): Promise<T> {
      const transferList: ArrayBuffer[] = [];
      const task: PipelineTaskRequest = { name, args: runOpts.move ? prepareTransfer(args, transferList) : args };
      if (opts.maxQueue !== undefined && piscina.queueSize >= opts.maxQueue) {
        throw new PipelineError('busy', `The image pipeline is busy: ${piscina.queueSize} ${piscina.queueSize === 1 ? 'task is' : 'tasks are'} already waiting for its ${maxThreads} thread(s). Try again in a few seconds.`, {
          queued: piscina.queueSize,
          threads: maxThreads,
        });
      }
      const res = (await piscina.run(task, { transferList: transferList.length ? transferList : undefined, signal: runOpts.signal })) as PipelineTaskResponse;
      if (res.ok) return reviveBuffers(res.value) as T;
      const e = res.error as Partial<PipelineErrorJSON> & { name: string; message: string; stack?: string };
      if (e.name === 'PipelineError' && e.code) throw pipelineErrorFromJSON(e as PipelineErrorJSON) as PipelineError;
      const err = new Error(e.message);
      err.name = e.name;
      if (e.stack) err.stack = `${e.name}: ${e.message}\n    (in pipeline worker)\n${e.stack.split('\n').slice(1).join('\n')}`;
      throw err;
    },
    get threads() {
      return piscina.threads.length;
    },
    get queueSize() {
      return piscina.queueSize;
    },
    get completed() {
      return piscina.completed;
    },
    destroy() {
      return piscina.destroy();
    },
  };
}
