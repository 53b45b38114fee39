/** A named condition readiness depends on, e.g. `kafka`, with why it is not met. */
export interface CheckState {
  ok: boolean;
  detail: string;
}

/**
 * Readiness as the conjunction of named checks. Each check starts failing until its owner reports
 * it, so a role is not ready before it has connected.
 */
export class Readiness {
  private readonly checks = new Map<string, CheckState>();

  constructor(checks: readonly string[]) {
    for (const name of checks) this.checks.set(name, { ok: false, detail: "starting" });
  }

  set(name: string, ok: boolean, detail: string): void {
    this.checks.set(name, { ok, detail });
  }

  isOk(name: string): boolean {
    return this.checks.get(name)?.ok ?? false;
  }

  get ready(): boolean {
    for (const check of this.checks.values()) if (!check.ok) return false;
    return true;
  }

  report(): { ready: boolean; checks: Record<string, CheckState> } {
    return { ready: this.ready, checks: Object.fromEntries(this.checks) };
  }
}
