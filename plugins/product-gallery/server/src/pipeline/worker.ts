/**
 * The pipeline worker: a task table that runs pipeline functions by name inside a piscina worker
 * thread, so JS pixel loops (cutout, QC measures, sharpness) never block the HTTP server's event
 * loop. Functions are looked up lazily on the pipeline index, so a task whose module is not there
 * yet fails with a clear error instead of breaking compilation.
 */
import { isPipelineError, type PipelineErrorJSON } from './errors';
import { prepareTransfer, reviveBuffers } from './transfer';

/** Tasks the pool may run: each is an exported function of pipeline/index.ts. */
export const PIPELINE_TASKS = [
  'intake',
  'cutout',
  'fingerprint',
  'renderClean',
  'renderDetail',
  'technicalQc',
  'checkFidelity',
  'deliveryPack',
  'renditions',
  'channelRenditions',
  'productBox',
  'decodeOnce',
  // Composite jobs (jobs.ts): one task per service request, one decode per job.
  'analyzeSource',
  'makeLocalShot',
  'inspectOutput',
  'checkCandidate',
  'deliverAsset',
  // The source's cutout corrected with an editor's strokes (grabCut).
  'refineSource',
  // Review: the source registered onto an image and the places that differ.
  'differenceMap',
] as const;

export type PipelineTaskName = (typeof PIPELINE_TASKS)[number];

/** Built-in diagnostics, for tests and benchmarks (see builtin below). */
export const DIAGNOSTIC_TASKS = ['ping', 'busy', 'hold'] as const;
export type DiagnosticTask = (typeof DIAGNOSTIC_TASKS)[number];

export interface PipelineTaskRequest {
  name: PipelineTaskName | DiagnosticTask;
  args: unknown[];
}

export type PipelineTaskResponse =
  | { ok: true; value: unknown }
  | { ok: false; error: PipelineErrorJSON | { name: string; message: string; stack?: string } };

const ALLOWED = new Set<string>(PIPELINE_TASKS);
let lib: Record<string, unknown> | undefined;

function library(): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  if (!lib) lib = require('./index') as Record<string, unknown>;
  return lib;
}

/**
 * Built-in diagnostics: 'ping' (round trip), 'busy' (spin the CPU for N ms) and 'hold' (keep the
 * thread until the caller sets the first Int32 of the given SharedArrayBuffer to non-zero and
 * notifies it: a test's way to know a thread is occupied without timing anything).
 */
function builtin(name: string, args: unknown[]): unknown {
  if (name === 'ping') return { pong: true, threadId: require('worker_threads').threadId as number, args };
  if (name === 'hold') {
    const flag = new Int32Array(args[0] as SharedArrayBuffer);
    while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0);
    return true;
  }
  const ms = Number(args[0]) || 0;
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

/**
 * A pool may ask its threads to run at a lower CPU priority (a nice value): batch image work
 * then yields to the HTTP thread and to securing outputs. On Linux the nice value is per thread.
 */
{
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { isMainThread, workerData } = require('worker_threads') as typeof import('worker_threads');
  const nice = Number(workerData?.nice ?? 0);
  if (!isMainThread && nice > 0) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      require('os').setPriority(0, nice);
    } catch {
      /* not permitted here: run at normal priority */
    }
  }
}

export async function runPipelineTask(req: PipelineTaskRequest): Promise<PipelineTaskResponse> {
  try {
    const args = reviveBuffers(req.args ?? []);
    let value: unknown;
    if ((DIAGNOSTIC_TASKS as readonly string[]).includes(req.name)) {
      value = builtin(req.name, args);
    } else {
      if (!ALLOWED.has(req.name)) throw new Error(`Unknown pipeline task "${req.name}".`);
      const fn = library()[req.name];
      if (typeof fn !== 'function') throw new Error(`Pipeline task "${req.name}" is not available: pipeline/index exports no function of that name.`);
      value = await (fn as (...a: unknown[]) => unknown)(...args);
    }
    return { ok: true, value };
  } catch (err) {
    if (isPipelineError(err)) {
      const e = err as { toJSON?: () => PipelineErrorJSON } & PipelineErrorJSON;
      return { ok: false, error: typeof e.toJSON === 'function' ? e.toJSON() : { name: 'PipelineError', code: e.code, status: e.status, message: e.message, details: e.details } };
    }
    const e = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
  }
}

/** Piscina handler: runs the task and moves (not copies) every Buffer of the result back. */
export default async function handler(req: PipelineTaskRequest): Promise<unknown> {
  const response = await runPipelineTask(req);
  const transferList: ArrayBuffer[] = [];
  const value = prepareTransfer(response, transferList);
  if (!transferList.length) return value;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { Piscina } = require('piscina') as typeof import('piscina');
  return Piscina.move({ [Piscina.transferableSymbol]: transferList, [Piscina.valueSymbol]: value } as never);
}
