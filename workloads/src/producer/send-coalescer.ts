/** A send that did not finish within the coalescer's timeout; it may still be written. */
export class SendTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no acknowledgement from Kafka within ${timeoutMs} ms`);
    this.name = "SendTimeoutError";
  }
}

export interface SendCoalescerOptions<T> {
  /** Sends records as one request; resolves once all of them are acknowledged. */
  send: (records: T[]) => Promise<void>;
  /** Size of one record in bytes; a merged send stays below `maxBatchBytes`. */
  sizeOf: (record: T) => number;
  maxBatchBytes: number;
  /** Each submission is rejected with SendTimeoutError after this long. */
  timeoutMs: number;
}

interface Submission<T> {
  records: T[];
  bytes: number;
  state: "queued" | "sending" | "settled";
  resolve: () => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Merges concurrent submissions into one send while a send is in flight: the first submission
 * goes out at once (no linger), and whatever arrives meanwhile leaves as one request when it
 * returns. This is Kafka's own batching, done per request so that each caller still learns whether
 * its records were acknowledged. A submission is never split across sends, so a caller's records
 * are acknowledged or failed together.
 */
export class SendCoalescer<T> {
  private readonly queue: Submission<T>[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(private readonly options: SendCoalescerOptions<T>) {}

  submit(records: T[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let bytes = 0;
      for (const record of records) bytes += this.options.sizeOf(record);
      const submission: Submission<T> = {
        records,
        bytes,
        state: "queued",
        resolve,
        reject,
        timer: setTimeout(() => this.expire(submission), this.options.timeoutMs),
      };
      this.queue.push(submission);
      if (this.inFlight === undefined) this.flush();
    });
  }

  /** Resolves once every submission so far has been sent (or has failed). */
  async drain(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  /** Submissions waiting for a send (not counting the one in flight). */
  get queued(): number {
    return this.queue.length;
  }

  private flush(): void {
    const batch: Submission<T>[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Submission<T>;
      if (batch.length > 0 && bytes + next.bytes > this.options.maxBatchBytes) break;
      this.queue.shift();
      next.state = "sending";
      batch.push(next);
      bytes += next.bytes;
    }
    if (batch.length === 0) return;
    const records =
      batch.length === 1 ? (batch[0] as Submission<T>).records : batch.flatMap((s) => s.records);
    this.inFlight = this.options
      .send(records)
      .then(
        () => {
          for (const s of batch) this.settle(s)?.resolve();
        },
        (err: unknown) => {
          for (const s of batch) this.settle(s)?.reject(err);
        },
      )
      .then(() => {
        this.inFlight = undefined;
        this.flush();
      });
  }

  private expire(submission: Submission<T>): void {
    if (submission.state === "queued") this.queue.splice(this.queue.indexOf(submission), 1);
    this.settle(submission)?.reject(new SendTimeoutError(this.options.timeoutMs));
  }

  /** Marks a submission settled; returns it only if it was not settled before. */
  private settle(submission: Submission<T>): Submission<T> | undefined {
    if (submission.state === "settled") return undefined;
    submission.state = "settled";
    clearTimeout(submission.timer);
    return submission;
  }
}
