import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { kubeApiClient } from '@cryptoviz/resources/node';
import { statusCode } from './kube/api.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  /** How often the leader renews (and a follower retries); well under the lease duration. */
  retryMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log?: (message: string) => void;
}

// Lease times are MicroTime: RFC 3339 with exactly six fractional digits.
const microTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * Share of the lease within which a renewal must land, or the leader steps down (client-go's
 * renewDeadline): the rest is margin for clocks and for the step-down to take effect.
 */
const RENEW_DEADLINE_SHARE = 0.8;

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: take the lease when
 * it is free or expired, renew it while leading, and step down if a renewal cannot land before
 * the lease would expire. Writes carry the resourceVersion read, so two candidates never both
 * win the same round.
 */
export class LeaderElector {
  private timer?: NodeJS.Timeout;
  /** Fires when the lease runs out unrenewed, however long a request of a round hangs. */
  private deadline?: NodeJS.Timeout;
  private leading = false;
  private stopped = false;
  /** The round on its way, if any: `stop` lets it land before releasing the lease. */
  private inFlight: Promise<void> = Promise.resolve();
  private readonly api: CoordinationV1Api;

  constructor(
    kc: KubeConfig,
    private readonly options: LeaderElectionOptions,
  ) {
    this.api = kubeApiClient(kc, CoordinationV1Api, this.requestTimeoutMs);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private get durationMs(): number {
    return this.options.leaseDurationMs ?? 15_000;
  }

  /**
   * Each Lease request is aborted after this, so a hung connection cannot stall the rounds: a
   * round (a read and a write) still ends well within the renew deadline.
   */
  private get requestTimeoutMs(): number {
    return Math.max(500, this.durationMs / 4);
  }

  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      this.inFlight = this.round().catch((err: unknown) => {
        this.options.log?.(`lease ${this.options.name}: ${(err as Error).message}`);
      });
      await this.inFlight;
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.retryMs ?? 2_000);
    };
    void tick();
  }

  /** Steps down and releases the lease, so a successor need not wait for it to expire. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.deadline);
    // A renewal already on its way would land after the release below (and hold the lease
    // again) or make it conflict: let it land first, for one request's time at most.
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([
      this.inFlight,
      new Promise((resolve) => (waited = setTimeout(resolve, this.requestTimeoutMs))),
    ]);
    clearTimeout(waited);
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity === this.options.identity) {
        lease.spec.holderIdentity = undefined;
        lease.spec.leaseDurationSeconds = 1;
        await this.api.replaceNamespacedLease({
          name: this.options.name,
          namespace: this.options.namespace,
          body: lease,
        });
      }
    } catch {
      // The lease simply expires.
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({
        name: this.options.name,
        namespace: this.options.namespace,
      });
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  private async round(): Promise<void> {
    const { name, namespace, identity } = this.options;
    const now = new Date();
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.durationMs / 1000),
      renewTime: microTime(now) as unknown as Date,
    };
    const lease = await this.read();
    if (!lease) {
      await this.api.createNamespacedLease({
        namespace,
        body: {
          metadata: { name, namespace },
          spec: { ...spec, acquireTime: spec.renewTime, leaseTransitions: 0 },
        },
      });
      return this.renewed(now);
    }
    const holder = lease.spec?.holderIdentity;
    const renewedAt = Date.parse(String(lease.spec?.renewTime ?? 0));
    const expired =
      !holder || renewedAt + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
    if (holder !== identity && !expired) {
      if (this.leading) this.setLeading(false);
      return;
    }
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    lease.spec = {
      ...lease.spec,
      ...spec,
      acquireTime: holder === identity ? lease.spec?.acquireTime : spec.renewTime,
      leaseTransitions: transitions,
    };
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
    } catch (err) {
      if (statusCode(err) === 409) return; // someone else wrote first; try next round
      throw err;
    }
    this.renewed(now);
  }

  /**
   * `renewTime` is when the round began, not when its write landed: others count the lease from
   * the renewTime written, so this replica must count from it too.
   */
  private renewed(renewTime: Date): void {
    const deadline = renewTime.getTime() + this.durationMs * RENEW_DEADLINE_SHARE;
    // A write that took until past the deadline won a lease too short to act on.
    if (this.stopped || deadline <= Date.now()) return;
    this.armDeadline(deadline);
    if (!this.leading) this.setLeading(true);
  }

  /** A leader that could not renew in time must assume someone else leads now. */
  private armDeadline(at: number): void {
    clearTimeout(this.deadline);
    this.deadline = setTimeout(() => {
      if (this.leading) this.setLeading(false);
    }, at - Date.now());
  }

  private setLeading(leading: boolean): void {
    this.leading = leading;
    this.options.log?.(`${this.options.identity} ${leading ? 'leads' : 'stopped leading'}`);
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }
}
