interface Pending<TIn, TOut> {
  item: TIn;
  resolve: (value: TOut) => void;
  reject: (error: unknown) => void;
}

export interface BatcherOptions {
  /** Most items handed to one flush. */
  maxBatchSize: number;
  /** Flushes allowed in flight at once; later items wait and join one batch. */
  maxConcurrentFlushes: number;
}

/**
 * Lets callers that arrive together share one round trip. An item waits at
 * most until the end of the current event-loop turn, so a lone caller is not
 * delayed; under load, items pile up behind the flushes in flight and leave
 * in larger batches.
 */
export class Batcher<TIn, TOut> {
  private queue: Pending<TIn, TOut>[] = [];
  private inFlight = 0;
  private isScheduled = false;

  constructor(
    private readonly flush: (items: TIn[]) => Promise<TOut[]>,
    private readonly options: BatcherOptions,
  ) {}

  submit(item: TIn): Promise<TOut> {
    return new Promise<TOut>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.isScheduled) {
      return;
    }
    this.isScheduled = true;
    setImmediate(() => {
      this.isScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxConcurrentFlushes) {
      const batch = this.queue.splice(0, this.options.maxBatchSize);

      this.inFlight += 1;
      void this.run(batch);
    }
  }

  private async run(batch: Pending<TIn, TOut>[]): Promise<void> {
    try {
      const results = await this.flush(batch.map((pending) => pending.item));

      batch.forEach((pending, index) => pending.resolve(results[index]));
    } catch (error) {
      batch.forEach((pending) => pending.reject(error));
    } finally {
      this.inFlight -= 1;
      this.drain();
    }
  }
}
