import { describe, expect, it } from "vitest";
import { SendCoalescer, type SendCoalescerOptions, SendTimeoutError } from "./send-coalescer.js";

/** A send whose calls the test completes by hand. */
function manualSend() {
  const calls: { records: string[]; resolve: () => void; reject: (err: Error) => void }[] = [];
  const send = (records: string[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ records, resolve, reject });
    });
  return { calls, send };
}

const tick = () => new Promise((r) => setImmediate(r));

/** A coalescer of one-unit records with room for 100 and a 5 s send timeout, unless told otherwise. */
function coalescerFor(
  send: (records: string[]) => Promise<void>,
  options: Partial<SendCoalescerOptions<string>> = {},
) {
  return new SendCoalescer<string>({
    send,
    sizeOf: () => 1,
    maxBatchBytes: 100,
    timeoutMs: 5000,
    ...options,
  });
}

describe("SendCoalescer", () => {
  it("sends the first submission at once and merges what arrives meanwhile into the next send", async () => {
    const { calls, send } = manualSend();
    const coalescer = coalescerFor(send);
    const first = coalescer.submit(["a"]);
    const second = coalescer.submit(["b", "c"]);
    const third = coalescer.submit(["d"]);
    expect(calls.map((c) => c.records)).toEqual([["a"]]);

    calls[0]?.resolve();
    await first;
    await tick();
    expect(calls.map((c) => c.records)).toEqual([["a"], ["b", "c", "d"]]);
    calls[1]?.resolve();
    await expect(Promise.all([second, third])).resolves.toBeDefined();
  });

  it("fails every submission of a failed send together", async () => {
    const { calls, send } = manualSend();
    const coalescer = coalescerFor(send);
    const first = coalescer.submit(["a"]);
    const merged = [coalescer.submit(["b"]), coalescer.submit(["c"])];
    calls[0]?.resolve();
    await first;
    await tick();
    calls[1]?.reject(new Error("broker down"));
    for (const submission of merged) await expect(submission).rejects.toThrow("broker down");
  });

  it("keeps a merged send under the byte limit without splitting a submission", async () => {
    const { calls, send } = manualSend();
    const coalescer = coalescerFor(send, { sizeOf: (r) => r.length, maxBatchBytes: 4 });
    void coalescer.submit(["x"]);
    const rest = [
      coalescer.submit(["aa", "bb"]),
      coalescer.submit(["cc"]),
      coalescer.submit(["dddddd"]),
    ];
    for (let i = 0; i < 4; i++) {
      calls[i]?.resolve();
      await tick();
    }
    await Promise.all(rest);
    expect(calls.map((c) => c.records)).toEqual([["x"], ["aa", "bb"], ["cc"], ["dddddd"]]);
  });

  it("times out a queued submission and never sends it", async () => {
    const { calls, send } = manualSend();
    const coalescer = coalescerFor(send, { timeoutMs: 20 });
    const stuck = coalescer.submit(["a"]);
    const queued = coalescer.submit(["b"]);
    await Promise.all([
      expect(stuck).rejects.toBeInstanceOf(SendTimeoutError),
      expect(queued).rejects.toBeInstanceOf(SendTimeoutError),
    ]);
    calls[0]?.resolve();
    await coalescer.drain();
    expect(calls.map((c) => c.records)).toEqual([["a"]]);
  });

  it("drains: resolves once everything submitted has been sent", async () => {
    const sent: string[] = [];
    const coalescer = new SendCoalescer<string>({
      send: async (records) => {
        await new Promise((r) => setTimeout(r, 5));
        sent.push(...records);
      },
      sizeOf: () => 1,
      maxBatchBytes: 100,
      timeoutMs: 5000,
    });
    const all = ["a", "b", "c", "d"].map((r) => coalescer.submit([r]));
    await coalescer.drain();
    expect(sent).toEqual(["a", "b", "c", "d"]);
    await Promise.all(all);
  });
});
