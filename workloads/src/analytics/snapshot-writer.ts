import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "../observability/logger.js";

/**
 * Writes `snapshot()` as JSON to `path` every `intervalMs` and once more at stop. Each write goes
 * to a temporary file first and is renamed over the target, so a reader never sees half a file.
 */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: {
      path: string;
      intervalMs: number;
      snapshot: () => unknown;
      logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    await mkdir(dirname(this.options.path), { recursive: true });
    this.timer = setInterval(() => void this.write(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.write();
  }

  /** Writes now, after any write in progress. */
  write(): Promise<void> {
    this.writing = this.writing.then(() => this.writeOnce());
    return this.writing;
  }

  private async writeOnce(): Promise<void> {
    const { path, logger } = this.options;
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(this.options.snapshot(), null, 2)}\n`);
      await rename(temporary, path);
    } catch (err) {
      logger.error({ err, path }, "could not write the analytics snapshot");
    }
  }
}
