/**
 * Spacing between creations for a per-minute limit, 5% wider than the limit: requests leave evenly
 * spaced but arrive with jitter (measured: at 2%, 8 of 100 creations were answered 429 by a
 * provider counting over a sliding second), and a 429 costs far more than the margin.
 */
export const creationIntervalMs = (perMinute: number) => (60_000 / Math.max(1, perMinute)) * 1.05;

/** Awaited right before each creation is sent; `retry`: the provider answered the previous try 429. */
export type CreationLimiter = (attempt?: { retry?: boolean }) => Promise<void>;

/**
 * Creations from this process, one per interval, in the order asked, except that a retry (the
 * provider answered 429) goes first: sent to the back of the line, a throttled request would wait
 * out the whole backlog again.
 */
export const createRateLimiter = (perMinute: number): CreationLimiter => {
  const interval = creationIntervalMs(perMinute);
  const waiting: Array<() => void> = [];
  let last = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  const pump = () => {
    timer = null;
    while (waiting.length) {
      const wait = last + interval - Date.now();
      if (wait > 0) {
        timer = setTimeout(pump, wait);
        return;
      }
      // On schedule (a late timer shortens the next gap, keeping the rate); after a pause, from now.
      last = Date.now() - (last + interval) > interval ? Date.now() : last + interval;
      waiting.shift()!();
    }
  };
  return (attempt = {}) =>
    new Promise<void>((resolve) => {
      if (attempt.retry) waiting.unshift(resolve);
      else waiting.push(resolve);
      if (!timer) pump();
    });
};

/**
 * Reserves the next send time in Redis: max(now, last reserved + interval), by Redis's clock, in
 * one atomic script. Returns the slot and Redis's now, in microseconds, formatted as integers
 * (Lua's tostring keeps only 14 digits).
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, last + tonumber(ARGV[1]))
redis.call('SET', KEYS[1], string.format('%d', slot), 'PX', math.ceil((slot - now) / 1000) + 60000)
return { string.format('%d', slot), string.format('%d', now) }
`;

/** The part of an ioredis client the shared limiter uses. */
export interface RedisEval {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

const OFFSET_REFRESH_MS = 10_000;
/** Half the 5% margin of a second that creationIntervalMs leaves: the rest absorbs network jitter. */
const LATE_TOLERANCE_MS = 25;

/**
 * Creations from every instance sharing `key`, evenly spaced: each creation reserves its own send
 * time and sleeps until it. A late timer delays only its own creation, never the ones after it (a
 * limiter that starts the next creation an interval after the last one started lets every delay
 * add up: on a busy machine BullMQ's worker limiter did, by 60% over 100 creations).
 * Slots are in Redis's clock; this process maps them to its own with the offset seen on its
 * fastest recent round trip (a slow answer, queued behind others or read late by a busy event
 * loop, would misplace the slot by its delay).
 */
export const createSharedRateLimiter = (redis: RedisEval, key: string, perMinute: number): CreationLimiter => {
  const intervalUs = Math.round(creationIntervalMs(perMinute) * 1000);
  const clock = () => performance.timeOrigin + performance.now();
  let best = { rtt: Infinity, offsetMs: 0, at: 0 };
  return async () => {
    for (let attempt = 0; ; attempt++) {
      const askedAt = clock();
      const [slotUs, nowUs] = (await redis.eval(RESERVE, 1, key, intervalUs)) as [string, string];
      const answeredAt = clock();
      const rtt = answeredAt - askedAt;
      if (rtt <= best.rtt || answeredAt - best.at > OFFSET_REFRESH_MS) best = { rtt, offsetMs: Number(nowUs) / 1000 - (askedAt + rtt / 2), at: answeredAt };
      const target = Number(slotUs) / 1000 - best.offsetMs;
      const remaining = target - clock();
      if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(remaining)));
      // Sent much later than its time (a stalled event loop), a creation would go out with the
      // ones after it and could make one too many in the provider's second: it takes a new time.
      // Bounded, so that a process that stays stalled still sends.
      if (clock() - target <= LATE_TOLERANCE_MS || attempt >= 2) return;
    }
  };
};

/** A budget's answer: spent, or refused with the wait until it would not be. */
export interface BudgetAnswer {
  allowed: boolean;
  retryAfterMs: number;
}

/**
 * `limit` units per `windowMs` and key, refilled evenly (GCRA: each key keeps only the time at
 * which its budget is full again), so a burst of `limit` passes and then one every window/limit.
 */
export interface RequestBudget {
  /** Spends `cost` (default 1) if the key's budget holds it; a refusal spends nothing. */
  take(key: string, cost?: number): Promise<BudgetAnswer>;
  /**
   * Whether the budget holds one more unit, spending nothing. `recent`: answered from the key's
   * state as this process last saw it, with no round trip; a shared budget sees a key's state on
   * every take, peek and charge of it here, so a key this process spent itself is answered
   * exactly, and one spent only on other instances looks unspent until it is asked for real.
   */
  peek(key: string, opts?: { recent?: boolean }): Promise<BudgetAnswer>;
  /**
   * Spends `cost` whatever the budget holds, for units known only after the work (a lookup's
   * misses): the debt makes the next requests wait, up to one extra window.
   */
  charge(key: string, cost: number): Promise<void>;
}

type BudgetMode = 'take' | 'peek' | 'charge';

/** One budget step, in ms: the new full-again time to store (null: store nothing) and the answer. */
const budgetStep = (stored: number, now: number, intervalMs: number, windowMs: number, cost: number, mode: BudgetMode) => {
  const from = Math.max(now, stored);
  const after = from + cost * intervalMs;
  if (mode === 'charge') return { store: Math.min(after, now + 2 * windowMs), answer: { allowed: true, retryAfterMs: 0 } };
  if (after - now > windowMs) return { store: null, answer: { allowed: false, retryAfterMs: Math.ceil(after - windowMs - now) } };
  return { store: mode === 'take' ? after : null, answer: { allowed: true, retryAfterMs: 0 } };
};

/**
 * budgetStep in Redis, by Redis's clock (ms), atomic for every instance sharing the key. Also
 * returns how long until the key's budget is full again after the step, for the instance's copy.
 */
const BUDGET = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval, window, cost, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local full = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local after = full + cost * interval
if mode == 'charge' then
  after = math.min(after, now + 2 * window)
elseif after - now > window then
  return { 0, string.format('%d', math.ceil(after - window - now)), string.format('%d', math.ceil(full - now)) }
end
if mode ~= 'peek' then
  full = math.ceil(after)
  redis.call('SET', KEYS[1], string.format('%d', full), 'PX', full - now + 1000)
end
return { 1, '0', string.format('%d', math.ceil(full - now)) }
`;

const budgetOptions = (limit: number, windowMs: number) => {
  if (!(limit > 0) || !(windowMs > 0)) throw new Error('a request budget needs a positive limit and window');
  return { intervalMs: windowMs / limit, windowMs };
};

/** A budget kept in this process (one instance, or no Redis). */
export const createRequestBudget = (limit: number, windowMs: number): RequestBudget => {
  const { intervalMs } = budgetOptions(limit, windowMs);
  const full = new Map<string, number>();
  const step = (key: string, cost: number, mode: BudgetMode) => {
    const now = Date.now();
    // Keys whose budget is full again hold no information: dropped, so the map stays small.
    if (full.size > 10_000) for (const [k, at] of full) if (at <= now) full.delete(k);
    const { store, answer } = budgetStep(full.get(key) ?? 0, now, intervalMs, windowMs, cost, mode);
    if (store !== null) full.set(key, store);
    return answer;
  };
  return {
    take: async (key, cost = 1) => step(key, cost, 'take'),
    // This process's state is the budget itself: `recent` changes nothing.
    peek: async (key) => step(key, 1, 'peek'),
    charge: async (key, cost) => void step(key, cost, 'charge'),
  };
};

/**
 * A budget shared by every instance on the same Redis. When Redis does not answer, the instance
 * falls back to its own budget (`fallback`) rather than refusing everyone or letting everyone in.
 */
export const createSharedRequestBudget = (
  redis: RedisEval,
  prefix: string,
  limit: number,
  windowMs: number,
  fallback: RequestBudget = createRequestBudget(limit, windowMs),
  onError: (error: Error) => void = () => undefined
): RequestBudget => {
  const { intervalMs } = budgetOptions(limit, windowMs);
  /** Each key's full-again time (this process's clock) as Redis last answered it. */
  const seen = new Map<string, number>();
  let answering = true;
  const step = async (key: string, cost: number, mode: BudgetMode, local: () => Promise<BudgetAnswer>): Promise<BudgetAnswer> => {
    try {
      const [allowed, retryAfterMs, fullInMs] = (await redis.eval(BUDGET, 1, `${prefix}:${key}`, intervalMs, windowMs, cost, mode)) as [number, string, string];
      answering = true;
      const now = Date.now();
      if (seen.size > 10_000) for (const [k, at] of seen) if (at <= now) seen.delete(k);
      seen.set(key, now + Number(fullInMs));
      return { allowed: Number(allowed) === 1, retryAfterMs: Number(retryAfterMs) };
    } catch (error) {
      answering = false;
      onError(error as Error);
      return local();
    }
  };
  const recent = async (key: string): Promise<BudgetAnswer> => {
    // While Redis does not answer, this process's own budget is the one in force.
    if (!answering) return fallback.peek(key);
    return budgetStep(seen.get(key) ?? 0, Date.now(), intervalMs, windowMs, 1, 'peek').answer;
  };
  return {
    take: (key, cost = 1) => step(key, cost, 'take', () => fallback.take(key, cost)),
    peek: (key, opts) => (opts?.recent ? recent(key) : step(key, 1, 'peek', () => fallback.peek(key))),
    charge: async (key, cost) => void (await step(key, cost, 'charge', async () => (await fallback.charge(key, cost), { allowed: true, retryAfterMs: 0 }))),
  };
};
