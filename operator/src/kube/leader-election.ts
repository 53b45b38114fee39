import { type V1Lease, V1MicroTime } from "@kubernetes/client-node";
import type { Logger } from "pino";
import {
  type LeaseRecord,
  leaseAction,
  type Observed,
  observe,
} from "../controller/lease-decision.js";
import type { KubeClients } from "./clients.js";
import { apiMessage, isConflict, isNotFound } from "./errors.js";

export interface LeaderElectionOptions {
  clients: KubeClients;
  namespace: string;
  leaseName: string;
  identity: string;
  leaseDurationMs: number;
  /** The leader steps down if it could not renew for this long; must be < leaseDurationMs. */
  renewDeadlineMs: number;
  retryPeriodMs: number;
  log: Logger;
  onStartedLeading: () => Promise<void>;
  /** Must stop all acting before it resolves: the Lease is released only afterwards. */
  onStoppedLeading: () => Promise<void>;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the leader renews every
 * retry period and steps down when it could not renew within the renew deadline; a candidate takes
 * over only after the lease has gone unrenewed for a whole lease duration by its own clock, or at
 * once when the leader released it on a clean shutdown. Updates are guarded by resourceVersion,
 * so two candidates cannot both win one round.
 */
export class LeaderElector {
  private observed: Observed | undefined;
  private leading = false;
  private lastRenewMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private round: Promise<void> = Promise.resolve();
  /** Leadership callbacks run one after another, never interleaved. */
  private transitions: Promise<void> = Promise.resolve();

  constructor(private readonly o: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.round = this.tick();
  }

  /** Stops campaigning; a leader first stops acting, then releases the Lease for a fast handover. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    if (this.leading) {
      this.leading = false;
      await this.enqueue(this.o.onStoppedLeading);
    }
    await this.transitions;
    // Also when a round in flight won the lease just as we stopped.
    await this.release();
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    const ok = await this.tryAcquireOrRenew();
    const now = Date.now();
    if (ok) {
      this.lastRenewMs = now;
      if (!this.leading && this.running) {
        this.leading = true;
        this.o.log.info({ lease: this.leaseRef(), identity: this.o.identity }, "became leader");
        void this.enqueue(this.o.onStartedLeading);
      }
    } else if (this.leading && now - this.lastRenewMs > this.o.renewDeadlineMs) {
      this.leading = false;
      this.o.log.error(
        { lease: this.leaseRef(), identity: this.o.identity },
        "lost leadership: could not renew the lease within the renew deadline",
      );
      void this.enqueue(this.o.onStoppedLeading);
    }
    if (this.running) {
      this.timer = setTimeout(() => {
        this.round = this.tick();
      }, this.o.retryPeriodMs);
      this.timer.unref();
    }
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    this.transitions = this.transitions.then(fn).catch((err: unknown) => {
      this.o.log.error({ err }, "leadership callback failed");
    });
    return this.transitions;
  }

  /** One election round; true when we hold the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { coordination } = this.o.clients;
    const { namespace, leaseName: name, identity } = this.o;
    try {
      let current: V1Lease | undefined;
      try {
        current = await coordination.readNamespacedLease({ namespace, name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const now = Date.now();
      if (current) this.observed = observe(this.observed, record(current), now);
      else this.observed = undefined;
      const action = leaseAction(this.observed, identity, now);
      if (action === "follow") return false;
      const stamp = new V1MicroTime(now);
      const durationSeconds = Math.ceil(this.o.leaseDurationMs / 1000);
      if (action === "create") {
        await coordination.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: stamp,
              renewTime: stamp,
              leaseTransitions: 0,
            },
          },
        });
        return true;
      }
      const spec = current?.spec ?? {};
      const transitions = spec.leaseTransitions ?? 0;
      await coordination.replaceNamespacedLease({
        namespace,
        name,
        body: {
          metadata: { name, namespace, resourceVersion: current?.metadata?.resourceVersion ?? "" },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: action === "renew" && spec.acquireTime ? spec.acquireTime : stamp,
            renewTime: stamp,
            leaseTransitions: action === "acquire" ? transitions + 1 : transitions,
          },
        },
      });
      return true;
    } catch (err) {
      if (isConflict(err)) {
        this.o.log.debug({ lease: this.leaseRef() }, "lease changed meanwhile; retrying");
      } else {
        this.o.log.warn({ lease: this.leaseRef(), error: apiMessage(err) }, "lease update failed");
      }
      return false;
    }
  }

  private async release(): Promise<void> {
    const { coordination } = this.o.clients;
    const { namespace, leaseName: name, identity } = this.o;
    try {
      const current = await coordination.readNamespacedLease({ namespace, name });
      if (current.spec?.holderIdentity !== identity) return;
      const stamp = new V1MicroTime(Date.now());
      await coordination.replaceNamespacedLease({
        namespace,
        name,
        body: {
          metadata: { name, namespace, resourceVersion: current.metadata?.resourceVersion ?? "" },
          spec: {
            holderIdentity: "",
            leaseDurationSeconds: 1,
            acquireTime: stamp,
            renewTime: stamp,
            leaseTransitions: current.spec?.leaseTransitions ?? 0,
          },
        },
      });
      this.o.log.info({ lease: this.leaseRef() }, "released leadership");
    } catch (err) {
      this.o.log.warn(
        { lease: this.leaseRef(), error: apiMessage(err) },
        "could not release the lease",
      );
    }
  }

  private leaseRef(): string {
    return `${this.o.namespace}/${this.o.leaseName}`;
  }
}

function record(lease: V1Lease): LeaseRecord {
  const renew = lease.spec?.renewTime as unknown;
  return {
    holderIdentity: lease.spec?.holderIdentity ?? "",
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 15,
    renewTime: renew instanceof Date ? renew.toISOString() : String(renew ?? ""),
  };
}
