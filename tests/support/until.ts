/** Waits until `fn` returns something truthy and returns it: a condition, never a duration to assert on. */
export const until = async <T>(what: string, fn: () => Promise<T> | T, timeoutMs = 60_000): Promise<NonNullable<T>> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
