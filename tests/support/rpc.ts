/**
 * A tiny request/response protocol over a forked child's IPC channel, for tests and benchmarks that need
 * one Strapi per process. The parent calls `child.call(cmd, args)`; the child answers with the
 * handler's result (or its error message).
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
interface Response {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface Child {
  name: string;
  proc: ChildProcess;
  call<T = any>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to stop, then kills it if it has not exited within `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

export const spawnChild = (name: string, file: string, argv: string[] = [], env: NodeJS.ProcessEnv = process.env): Child => {
  const proc = fork(file, argv, { execArgv: ['-r', 'esbuild-register', ...(process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  const failAll = (why: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`${name}: ${why}`));
      pending.delete(id);
    }
  };
  proc.on('message', (m: Response) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${name}: ${m.error}`));
  });
  proc.on('exit', (code, signal) => failAll(`exited (${code ?? signal})`));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    name,
    proc,
    call<T>(cmd: string, args?: unknown, timeoutMs = 300_000) {
      return new Promise<T>((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        proc.send({ id, cmd, args } satisfies Request);
      });
    },
    async close(graceMs = 20_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      try {
        await Promise.race([this.call('exit', undefined, graceMs).catch(() => undefined), exited]);
        await exited;
      } finally {
        clearTimeout(kill);
      }
    },
  };
};

/** The child side: answers requests with `handlers[cmd](args)`; `exit` ends the process. */
export const serveParent = (handlers: Record<string, (args: any) => Promise<unknown> | unknown>) => {
  process.on('message', async (m: Request) => {
    if (m.cmd === 'exit') {
      try {
        await handlers.exit?.(m.args);
      } finally {
        process.send!({ id: m.id, ok: true } satisfies Response, () => process.exit(0));
      }
      return;
    }
    try {
      const handler = handlers[m.cmd];
      if (!handler) throw new Error(`unknown command ${m.cmd}`);
      const result = await handler(m.args);
      process.send!({ id: m.id, ok: true, result } satisfies Response);
    } catch (error) {
      process.send!({ id: m.id, ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies Response);
    }
  });
  // The parent died: do not linger.
  process.on('disconnect', () => process.exit(1));
};
