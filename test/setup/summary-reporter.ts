import type { Reporter, SerializedError, TestModule } from "vitest/node";

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, that CI reads.
 * "failed" also counts what failed outside any test (a file that did not load, a beforeAll or
 * afterAll hook that threw, an unhandled error), so a red run can never print 0 failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError> = [],
  ): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const failedOutsideTests: string[] = [];
    for (const module of testModules) {
      let failedTests = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed") failedTests++;
        else counts.skipped++;
      }
      counts.failed += failedTests;
      if (module.state() === "failed" && failedTests === 0) {
        counts.failed++;
        failedOutsideTests.push(module.relativeModuleId);
      }
    }
    counts.failed += unhandledErrors.length;
    for (const file of failedOutsideTests) {
      process.stdout.write(`\nfailed outside its tests (load or hook): ${file}`);
    }
    if (unhandledErrors.length)
      process.stdout.write(`\nunhandled errors: ${unhandledErrors.length}`);
    process.stdout.write(
      `\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
  }
}
