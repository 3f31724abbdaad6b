/**
 * A bounded HTTP load generator for a child process (node:http, keep-alive): `connections`
 * keep-alive connections, each sending its next request when the previous answer arrives and
 * not before its pacing slot (`rate` requests per second over all connections), until `stop`
 * is received, `durationMs` passes or `maxRequests` are sent. Latency = send -> last byte.
 */
import http from 'node:http';

export interface LoadSpec {
  port: number;
  paths: string[];
  connections: number;
  rate: number;
  durationMs: number;
  maxRequests: number;
}
export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  latencies: number[];
}

export const runLoad = (spec: LoadSpec, stopSignal: { stopped: boolean }): Promise<LoadResult> =>
  new Promise((resolveAll) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    let errors = 0;
    let sent = 0;
    const start = performance.now();
    const deadline = start + spec.durationMs;
    const interval = (1000 * spec.connections) / spec.rate;
    const one = (p: string) =>
      new Promise<void>((resolve) => {
        const t0 = performance.now();
        const req = http.get({ host: '127.0.0.1', port: spec.port, path: p, agent }, (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            if ((res.statusCode ?? 0) >= 400) errors++;
            resolve();
          });
        });
        req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
        req.on('error', () => {
          errors++;
          resolve();
        });
      });
    const loop = async (k: number) => {
      let slot = start + (k * interval) / spec.connections;
      while (!stopSignal.stopped && performance.now() < deadline && sent < spec.maxRequests) {
        const wait = slot - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        slot = Math.max(slot + interval, performance.now());
        if (stopSignal.stopped) break;
        await one(spec.paths[sent++ % spec.paths.length]);
      }
    };
    void Promise.all(Array.from({ length: spec.connections }, (_, k) => loop(k))).then(() => {
      const seconds = (performance.now() - start) / 1000;
      agent.destroy();
      resolveAll({ requests: latencies.length, errors, statuses, seconds, rps: latencies.length / seconds, latencies });
    });
  });

/** Child-process side: `{start: LoadSpec}` starts, `{stop: true}` ends early; replies with the result. */
export const serveLoad = () => {
  const stop = { stopped: false };
  process.on('message', async (m: { start?: LoadSpec; stop?: boolean }) => {
    if (m.stop) stop.stopped = true;
    if (m.start) {
      process.send!({ started: true });
      const result = await runLoad(m.start, stop);
      process.send!({ result }, () => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(1));
};
