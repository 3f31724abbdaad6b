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
