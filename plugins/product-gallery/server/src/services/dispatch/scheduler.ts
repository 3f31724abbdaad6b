import type { Core } from '@strapi/strapi';
import { UID } from '../../domain/vocabulary';
import { fullJitterDelay, scrubSecrets } from '../../replicate';
import { getConfig, getService } from '../../utils/get-service';
import { createRateLimiter } from '../../utils/rate-limit';
import { createGate } from '../../utils/gate';
import { createQueueTransport, type QueueName, type QueueTransport } from './queue';
import { AwaitingWebhook } from '../generation';
import { isLeaseLost, type Lease } from './lease';
import { endpointsOf, isMomentary } from '../../utils/unavailable';
import { createDispatcherLock, DISPATCHER_LOCK_MS } from './dispatcher-lock';
import { createStages, stageOf, type Next, type Run, type Stage } from './stages';

const CHECK_DEFERRAL_MS = 30_000;
/** How often, with BullMQ, this instance's check worker is paused or resumed to follow checksYield(). */
const CHECK_GATE_MS = 100;
/**
 * Claims and preparations in this process at once. They are round trips to the database and
 * little else; twenty at once all finish late together (each waits on the others' queries),
 * a few at once finish one after the other, so the first creations go out early and the rest
 * are ready before the rate limit lets them go.
 */
const PREPARING_AT_ONCE = 8;


const messageOf = (error: unknown) => {
  const raw = error instanceof Error ? error.message : String(error);
  return scrubSecrets(raw);
};

/**
 * Durable dispatch. The database is the source of truth: an asset is queued in the database
 * before any work, claimed by compare-and-set, worked under a renewable lease, and finished by
 * a workflow transition. A crash leaves the asset in `generating` with an expired lease; the
 * next sweep resumes it (a recorded prediction is resumed, never created twice).
 * One process on SQLite needs nothing else; with REDIS_URL, instances share the work through
 * BullMQ (queue.ts), which also makes the creation rate limit global.
 *
 * A generation runs in stages, each under its own claim, each found from the asset's row:
 * `generate` (a local shot is made and secured: intake, then stored as it is; a Replicate shot is
 * prepared: model, cost within the caps, prompt), `create` (the prepared prediction is sent, under
 * the rate limit: with BullMQ a job of its own, in one process right after preparing), `complete` (the prediction is awaited, downloaded and secured) and `check` (QC
 * against the source, renditions, then draft). Stages hold separate slots, so waiting on Replicate
 * or checking images never holds up creating and securing the next ones.
 */
export function createScheduler(strapi: Core.Strapi, lease: Lease) {
  const { owner, claim, finishFailed } = lease;
  const endpoints = endpointsOf(strapi);
  const running = new Map<string, AbortController>();
  const preparing = createGate(PREPARING_AT_ONCE);
  /** Assets this process is waiting to claim or claiming (not running yet). */
  const claiming = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let checkGate: NodeJS.Timeout | null = null;
  /**
   * Stages running in this process, and how many may. generate (local shots; preparing a
   * Replicate one) and create: the dispatch concurrency. complete: waiting on Replicate costs a
   * timer, not a slot, so many may wait (Replicate limits creations, not predictions in flight).
   * check: two per pipeline thread keeps the threads fed.
   */
  const active: Record<Stage, number> = { generate: 0, create: 0, complete: 0, check: 0 };
  const checkSlots = () => Math.max(1, getService(strapi, 'pipeline').threads() * 2);
  /**
   * Checks yield while this process makes shots or creates, awaits and secures Replicate's
   * predictions: QC's image work would take the CPU those need (libvips runs on libuv's threads at
   * normal priority, whatever the pool's nice), and creations are rate-limited and outputs expire,
   * while a check can run any time. Bounded: under endless generation work a check still starts
   * every CHECK_DEFERRAL_MS.
   */
  let busySince = 0;
  const generating = () => active.generate + active.create + active.complete > 0;
  const checksYield = () => generating() && Date.now() - busySince < CHECK_DEFERRAL_MS;
  const slots = (stage: Stage) => {
    const { concurrency } = getConfig(strapi).dispatch;
    if (stage === 'check') return checksYield() ? 0 : checkSlots();
    return stage === 'complete' ? concurrency * 10 : concurrency;
  };
  let sweeping = false;
  let stopped = true;
  /**
   * Database work started by timers (sweeps, claims, lock renewals): stop waits for it, or the
   * pool it runs on would be destroyed under it (the query then fails as aborted).
   */
  const inflight = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    inflight.add(work);
    void work.then(
      () => inflight.delete(work),
      () => inflight.delete(work)
    );
    return work;
  };
  /** Without a shared queue: who else dispatches on this database, while this process stands by. */
  let standingBy: string | null = null;
  let lockTimer: NodeJS.Timeout | null = null;
  const dispatcherLock = createDispatcherLock(strapi, owner);
  let transport: QueueTransport | null = null;
  const assets = () => strapi.db.query(UID.asset);
  const { generate, create, check } = createStages(strapi, lease, { completeSlotFree: () => active.complete < slots('complete') });
  /** The stage a queue's jobs run (in-process, the same stages without queues). */
  const STAGE_OF_QUEUE: Record<QueueName, Stage> = { generate: 'generate', complete: 'complete', check: 'check' };

  /**
   * Parked until the webhook (any instance) clears the lease, or until the next safety read of
   * the prediction. A completion delivered while this process still held the lease could not
   * unpark it; it was recorded, so it is looked for once the asset is parked.
   */
  const park = async (asset: any, predictionId: string) => {
    const { deadlineMs, webhookPollMs } = getConfig(strapi).replicate;
    const until = new Date(Date.now() + Math.min(deadlineMs, webhookPollMs));
    const { count } = await assets().updateMany({
      where: { id: asset.id, leaseOwner: owner, status: 'generating' },
      data: { leaseOwner: null, leaseUntil: until },
    });
    if (count !== 1) return;
    if (!(await getService(strapi, 'webhookDeliveries').completed(predictionId))) return;
    const unparked = await assets().updateMany({
      where: { id: asset.id, leaseOwner: null, leaseUntil: until, status: 'generating' },
      data: { leaseUntil: null },
    });
    if (unparked.count === 1) service.kick();
  };

  /**
   * One stage of one generation, on an asset this process holds the lease of. Never leaves the
   * asset in `generating` unless the process dies.
   */
  const execute = async (asset: any, run: Run = {}) => {
    // A creation's answer is awaited under the controller that sent it: stopping aborts it.
    const controller = run.controller ?? new AbortController();
    const stage = run.stage ?? stageOf(asset);
    running.set(asset.documentId, controller);
    if (stage === 'check' || !generating()) busySince = Date.now();
    active[stage]++;
    const renewal = lease.renew(asset, controller);
    const config = getConfig(strapi);
    let next: Next = null;
    try {
      if (stage === 'check') await check(asset);
      else if (stage === 'create') next = await create(asset, controller.signal);
      else next = await generate(asset, controller.signal, run);
    } catch (error) {
      if (stopped && controller.signal.aborted) return; // shutting down: the lease expires, the next start resumes it
      // Another dispatcher holds the asset now: it finishes the work, this one writes nothing more.
      if (isLeaseLost(error) || isLeaseLost(controller.signal.reason)) return;
      if (error instanceof AwaitingWebhook) {
        await park(asset, error.predictionId);
        return;
      }
      const generation = getService(strapi, 'generation');
      const message = messageOf(error);
      // The database, Redis or the file store out of reach, or the database busy: not the image's
      // fault, so the try does not count (an outage of any length must not fail the shot). Nor
      // does Replicate being down, once the shot has tried it (its intent is recorded), until the
      // prediction deadline from then: a shot still waiting on a Replicate that never comes back
      // fails then, as a prediction that never finishes does.
      const sinceIntent = asset.predictionIntentAt ? Date.now() - new Date(asset.predictionIntentAt).getTime() : Infinity;
      const momentary = isMomentary(error, endpoints) || (generation.isProviderOutage(error) && sinceIntent < config.replicate.deadlineMs);
      const tries = (asset.attempts ?? 0) + 1;
      const attempts = momentary ? asset.attempts ?? 0 : tries;
      if (momentary || (generation.isRetryable(error) && attempts < config.dispatch.maxAttempts)) {
        // The gateway's own backoff, with a Retry-After from Replicate as its floor.
        const wait = Math.max(fullJitterDelay(tries, { baseDelayMs: config.dispatch.baseBackoffMs, maxDelayMs: config.dispatch.maxBackoffMs }), generation.retryAfterMs(error) ?? 0);
        await lease
          .release(asset, { attempts, nextAttemptAt: new Date(Date.now() + wait), error: `Retrying: ${message}` })
          .catch((e) => strapi.log.warn(`[product-gallery] could not schedule a retry of ${asset.documentId} (the sweep will find it): ${messageOf(e)}`));
        setTimeout(() => service.kick(), wait + 50).unref();
      } else {
        try {
          await lease.write(asset, { attempts });
          await finishFailed(asset, message);
        } catch (e) {
          if (!isLeaseLost(e)) strapi.log.error(`[product-gallery] could not mark ${asset.documentId} failed: ${messageOf(e)}`);
        }
      }
    } finally {
      run.prepared?.();
      clearInterval(renewal);
      running.delete(asset.documentId);
      active[stage]--;
      if (typeof next === 'string') void handOn(asset, next);
      else if (next && !stopped) {
        void execute(next.goOn, { ...next.run, controller: next.run.sent ? controller : undefined }).catch((e) => strapi.log.error(`[product-gallery] dispatch: ${messageOf(e)}`));
      }
    }
  };

  /** The next stage starts at once: in this process, or as a job any instance can take. */
  const handOn = async (asset: { documentId: string; version: number }, queue: QueueName) => {
    try {
      if (stopped) return;
      if (!transport) {
        const stage = STAGE_OF_QUEUE[queue];
        if (active[stage] < slots(stage)) void runOne(asset.documentId).catch(() => service.kick());
        else service.kick();
        return;
      }
      // The version this process claimed: stages after the claim write no new one.
      await transport.enqueue([{ documentId: asset.documentId, version: asset.version, queue }]);
    } catch (error) {
      // The sweep picks it up.
      if (!stopped) strapi.log.warn(`[product-gallery] dispatch: ${messageOf(error)}`);
    }
  };

  const runOne = async (documentId: string) => {
    if (running.has(documentId) || claiming.has(documentId)) return;
    claiming.add(documentId);
    let asset: any = null;
    let prepared = () => {};
    try {
      prepared = await preparing.acquire();
      asset = await claim(documentId);
    } finally {
      claiming.delete(documentId);
      if (!asset || stageOf(asset) !== 'generate') prepared();
    }
    if (asset) await execute(asset, { prepared });
  };

  /**
   * Due work of one stage: `generate` is queued, or generating without a stored output; `check`
   * is generating with one. Either way not leased by anyone and not waiting out a backoff. Asked
   * per stage so that a backlog of checks never hides generation work (or the other way round).
   */
  const findDue = async (stage: 'generate' | 'check', limit: number) => {
    const now = new Date();
    const free = {
      status: 'generating',
      $and: [
        { $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] },
        { $or: [{ nextAttemptAt: null }, { nextAttemptAt: { $lte: now } }] },
      ],
    };
    const where =
      stage === 'check'
        ? { ...free, file: { id: { $notNull: true } } }
        : { $or: [{ status: 'queued' }, { ...free, file: { id: { $null: true } } }] };
    return assets().findMany({
      where,
      select: ['documentId', 'version', 'provenance', 'predictionId'],
      populate: { file: { select: ['id'] } },
      orderBy: { id: 'asc' },
      limit,
    });
  };

  /** The queue a due asset belongs in. */
  const queueOf = (a: any): QueueName => {
    const stage = stageOf(a);
    return stage === 'create' ? 'generate' : stage;
  };

  const sweep = () => track(sweepOnce());
  const sweepOnce = async () => {
    if (sweeping || stopped || standingBy) return;
    sweeping = true;
    try {
      if (transport) {
        const due = [...(await findDue('generate', 500)), ...(await findDue('check', 500))];
        await transport.enqueue(due.map((a: any) => ({ documentId: a.documentId, version: a.version, queue: queueOf(a) })));
        return;
      }
      const free = (stage: Stage) => Math.max(0, slots(stage) - active[stage] - (stage === 'generate' ? claiming.size : 0));
      const take = (list: any[], stage: Stage) => list.filter((a) => stageOf(a) === stage && !running.has(a.documentId) && !claiming.has(a.documentId)).slice(0, free(stage));
      const wanted = free('generate') + free('create') + Math.min(free('complete'), 100);
      const waiting = wanted > 0 ? await findDue('generate', wanted * 2) : [];
      const due = [
        ...take(waiting, 'generate'),
        ...take(waiting, 'create'),
        ...take(waiting, 'complete'),
        ...take(free('check') > 0 ? await findDue('check', free('check') * 2) : [], 'check'),
      ];
      for (const a of due) void track(runOne(a.documentId)).catch((e) => strapi.log.error(`[product-gallery] dispatch: ${messageOf(e)}`));
    } catch (error) {
      if (!stopped) strapi.log.error(`[product-gallery] dispatch sweep failed: ${messageOf(error)}`);
    } finally {
      sweeping = false;
    }
  };

  /**
   * Without a shared queue, one process dispatches per database (dispatcher-lock.ts). The others
   * stand by, serving HTTP, and take over when its lock lapses; a holder whose renewal finds the
   * lock gone stops sweeping (its running stages finish under their own leases).
   */
  const holdDispatcherLock = async () => {
    const holder = await dispatcherLock.acquire();
    if (holder) {
      standingBy = holder;
      strapi.log.warn(
        `[product-gallery] another process (${holder}) already dispatches generation work on this database; this one stands by and takes over if it stops. ` +
          'Without REDIS_URL only one process may dispatch: start the app with PRODUCT_GALLERY_WORKER=false when `npm run worker` runs beside it.'
      );
    }
    lockTimer = setInterval(() => {
      const attempt = track(standingBy ? dispatcherLock.acquire() : dispatcherLock.renew().then((held) => (held ? null : 'another process')));
      attempt.then(
        (other) => {
          if (stopped) return;
          if (standingBy && !other) strapi.log.info('[product-gallery] dispatching generation work here now (the other dispatcher stopped)');
          if (!standingBy && other) strapi.log.warn('[product-gallery] another process took over dispatching (this one could not renew its lock); standing by');
          standingBy = other;
          if (!other) service.kick();
        },
        (error) => strapi.log.warn(`[product-gallery] dispatcher lock: ${messageOf(error)}`)
      );
    }, DISPATCHER_LOCK_MS / 3);
    lockTimer.unref();
  };

  const service = {
    owner,
    runOne,
    async start() {
      if (!stopped) return;
      stopped = false;
      const config = getConfig(strapi);
      if (config.redisUrl) {
        transport = await createQueueTransport({
          redisUrl: config.redisUrl,
          concurrency: config.dispatch.concurrency,
          checkConcurrency: checkSlots(),
          creationsPerMinute: config.dispatch.creationsPerMinute,
          worker: config.dispatch.worker,
          run: runOne,
          log: strapi.log,
        });
      }
      getService(strapi, 'generation').setRateLimiter(transport ? transport.creationLimiter : createRateLimiter(config.dispatch.creationsPerMinute));
      if (!transport) await holdDispatcherLock();
      // With BullMQ new work is enqueued when it is planned (kick); the periodic sweep only finds
      // what was lost (dead instances, expired parking, backoffs), so it needs not run as often.
      timer = setInterval(() => void sweep(), transport ? Math.max(config.dispatch.tickMs, 1000) : config.dispatch.tickMs);
      timer.unref();
      if (transport) {
        const shared = transport;
        checkGate = setInterval(() => void shared.holdChecks(checksYield()), CHECK_GATE_MS);
        checkGate.unref();
      }
      void sweep();
    },
    kick() {
      if (!stopped) setImmediate(() => void sweep());
    },
    /** Who dispatches instead of this process (it stands by), or null. */
    standingBy: () => standingBy,
    async stop() {
      stopped = true;
      if (lockTimer) clearInterval(lockTimer);
      lockTimer = null;
      if (!transport && !standingBy) await dispatcherLock.release().catch(() => undefined);
      standingBy = null;
      if (timer) clearInterval(timer);
      if (checkGate) clearInterval(checkGate);
      timer = checkGate = null;
      for (const c of running.values()) c.abort();
      await transport?.close();
      transport = null;
      const deadline = Date.now() + 5000;
      while ((running.size || inflight.size) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    },
    /** Settle everything due now (tests and the worker's drain). */
    async drain(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await sweep();
        const pending = await assets().count({ where: { status: { $in: ['queued', 'generating'] } } });
        if (!pending && !running.size) return;
        if (Date.now() > deadline) throw new Error(`dispatch did not settle: ${pending} pending`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },

  };
  return service;
}
