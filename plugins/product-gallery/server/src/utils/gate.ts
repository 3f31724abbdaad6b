/**
 * At most `limit` holders at once, the rest served first come, first served. `acquire` resolves
 * to a release function that may be called more than once (only the first call counts).
 */
export const createGate = (limit: number) => {
  let held = 0;
  const waiting: Array<() => void> = [];
  const releaser = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = waiting.shift();
      if (next) next();
      else held--;
    };
  };
  return {
    acquire(): Promise<() => void> {
      if (held < limit) {
        held++;
        return Promise.resolve(releaser());
      }
      // The slot passes straight to the next waiter (held stays the same).
      return new Promise((resolve) => waiting.push(() => resolve(releaser())));
    },
    get waiting() {
      return waiting.length;
    },
    get held() {
      return held;
    },
    limit,
  };
};
