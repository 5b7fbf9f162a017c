import { Batcher, BatcherOptions } from './batcher';

interface Deferred {
  resolve: () => void;
  promise: Promise<void>;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));

  return { resolve, promise };
}

/** A batcher whose flush doubles numbers and records every batch it was handed. */
function makeBatcher(
  options: Partial<BatcherOptions> = {},
  flush: (items: number[]) => Promise<number[]> = (items) =>
    Promise.resolve(items.map((item) => item * 2)),
) {
  const batches: number[][] = [];
  const batcher = new Batcher<number, number>(
    (items) => {
      batches.push([...items]);

      return flush(items);
    },
    { maxBatchSize: 100, maxConcurrentFlushes: 1, ...options },
  );

  return { batcher, batches };
}

describe('Batcher', () => {
  it('flushes a lone item without waiting for more', async () => {
    const { batcher, batches } = makeBatcher();

    await expect(batcher.submit(21)).resolves.toBe(42);
    expect(batches).toEqual([[21]]);
  });

  it('gives items submitted together one flush, and each caller its own result', async () => {
    const { batcher, batches } = makeBatcher();

    const results = await Promise.all([batcher.submit(1), batcher.submit(2), batcher.submit(3)]);

    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('rejects exactly the items of a failed flush', async () => {
    const failure = new Error('insert failed');
    const { batcher, batches } = makeBatcher({ maxBatchSize: 2 }, (items) =>
      items.includes(13) ? Promise.reject(failure) : Promise.resolve(items.map((item) => -item)),
    );

    const results = await Promise.allSettled([1, 13, 3, 4].map((item) => batcher.submit(item)));

    expect(batches).toEqual([
      [1, 13],
      [3, 4],
    ]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: -3 },
      { status: 'fulfilled', value: -4 },
    ]);
  });

  it('rejects the items of a flush that throws synchronously, and keeps serving others', async () => {
    let isBroken = true;
    const { batcher } = makeBatcher({}, (items) => {
      if (isBroken) {
        throw new Error('boom');
      }

      return Promise.resolve(items);
    });

    await expect(batcher.submit(1)).rejects.toThrow('boom');
    isBroken = false;
    await expect(batcher.submit(2)).resolves.toBe(2);
  });

  it('never hands a flush more than maxBatchSize items', async () => {
    const { batcher, batches } = makeBatcher({ maxBatchSize: 5, maxConcurrentFlushes: 2 });
    const items = Array.from({ length: 23 }, (_unused, index) => index);

    const results = await Promise.all(items.map((item) => batcher.submit(item)));

    expect(results).toEqual(items.map((item) => item * 2));
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(5);
    expect(batches.flat()).toEqual(items);
    expect(batches.map((batch) => batch.length)).toEqual([5, 5, 5, 5, 3]);
  });

  it('keeps at most maxConcurrentFlushes in flight and batches what waits behind them', async () => {
    const gates: Deferred[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const { batcher, batches } = makeBatcher(
      { maxBatchSize: 100, maxConcurrentFlushes: 2 },
      async (items) => {
        const gate = deferred();

        gates.push(gate);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await gate.promise;
        inFlight -= 1;

        return items;
      },
    );

    const first = batcher.submit(1);

    await waitUntil(() => gates.length === 1);
    const second = batcher.submit(2);

    await waitUntil(() => gates.length === 2);
    const waiting = [3, 4, 5].map((item) => batcher.submit(item));

    // Both flushes are busy: the later items must wait and then leave together.
    await new Promise((resolve) => setImmediate(resolve));
    expect(gates).toHaveLength(2);

    gates[0].resolve();
    await waitUntil(() => gates.length === 3);
    gates[1].resolve();
    gates[2].resolve();

    await expect(Promise.all([first, second, ...waiting])).resolves.toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
    expect(maxInFlight).toBe(2);
  });
});

/** Lets the event loop turn until `condition` holds; fails after 1000 turns. */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000; turn += 1) {
    if (condition()) {
      return;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}
