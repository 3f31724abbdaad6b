import { createGate } from '../../plugins/product-gallery/server/src/utils/gate';

/** The dispatcher's preparation gate: a few claims and preparations at once, the rest in arrival order. */
describe('gate', () => {
  const tick = () => new Promise((r) => setImmediate(r));

  it('lets `limit` holders in at once and the rest in the order they came', async () => {
    const gate = createGate(2);
    const entered: number[] = [];
    const releases: Array<() => void> = [];
    for (let i = 0; i < 5; i++) void gate.acquire().then((release) => (entered.push(i), releases.push(release)));
    await tick();
    expect(entered).toEqual([0, 1]);
    expect(gate.waiting).toBe(3);
    releases[1]();
    await tick();
    expect(entered).toEqual([0, 1, 2]);
    releases[0]();
    releases[2]();
    await tick();
    expect(entered).toEqual([0, 1, 2, 3, 4]);
    expect(gate.waiting).toBe(0);
  });

  it('counts a release once however often it is called', async () => {
    const gate = createGate(1);
    const first = await gate.acquire();
    first();
    first();
    first();
    const entered: string[] = [];
    void gate.acquire().then(() => entered.push('a'));
    void gate.acquire().then(() => entered.push('b'));
    await tick();
    // A release counted three times would have let both in.
    expect(entered).toEqual(['a']);
  });
});
