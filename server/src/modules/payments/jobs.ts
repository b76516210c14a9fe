import { createTask, type ScheduledTask } from "node-cron";
import { In, IsNull, LessThan } from "typeorm";
import type { PaymentsDeps } from "./deps";
import { addDays, chinaDate } from "./numbers";
import { PayOrder, PayRefund } from "./payment.entity";
import { reconcileDay } from "./reconciliation";
import { applyRefundResult, debitRefund, submitRefund } from "./refunds";
import { closeAtWechat, creditOrder, syncOrder } from "./settlement";

/**
 * The payment jobs, safe on every instance at once (a KV lock keeps runs apart; every step is a
 * conditional update or an idempotent call, so a lost lock costs nothing but a repeated query):
 *  - every minute: pending orders whose notification has not come for a minute are queried (SUCCESS goes
 *    the same way as a notify), expired ones closed; paid-but-not-credited orders credited again;
 *    refunds not yet accepted re-sent, processing ones queried, succeeded ones debited again.
 *  - daily after 10:00 China time: yesterday's reconciliation against the trade bill (when enabled).
 */

const SWEEP_LOCK = "payments:sweep";
const SWEEP_LOCK_TTL_MS = 5 * 60_000;
/** A notification normally comes within seconds; after this we ask. */
const QUERY_AFTER_MS = 60_000;
/** Orders and refunds handled per run (the next run takes the rest). */
const BATCH = 50;
const TIMEZONE = "Asia/Shanghai";

export interface SweepReport {
  skipped?: "locked" | "no_pay";
  queried: number;
  closed: number;
  credited: number;
  refundsResent: number;
  refundsQueried: number;
  refundsDebited: number;
  failures: number;
}

export class PaymentJobs {
  private tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: PaymentsDeps) {}

  async start(): Promise<void> {
    if (!this.deps.pay) return;
    const sweep = createTask("* * * * *", () => this.track(this.sweepOnce(), "payment sweep"), { name: "payments-sweep", noOverlap: true });
    const reconcile = createTask("30 10 * * *", () => this.track(this.reconcileYesterday(), "payment reconciliation"), { name: "payments-reconcile", timezone: TIMEZONE, noOverlap: true });
    this.tasks = [sweep, reconcile];
    for (const task of this.tasks) await task.start();
  }

  async stop(): Promise<void> {
    const tasks = this.tasks;
    this.tasks = [];
    for (const task of tasks) await task.destroy();
    await Promise.allSettled([...this.running]);
  }

  private track(work: Promise<unknown>, what: string): Promise<unknown> {
    const tracked = work.catch((error) => this.deps.logger.error({ err: error }, `${what} failed`)).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return tracked;
  }

  /** One sweep under the lock (tests call it directly). */
  async sweepOnce(): Promise<SweepReport> {
    const report: SweepReport = { queried: 0, closed: 0, credited: 0, refundsResent: 0, refundsQueried: 0, refundsDebited: 0, failures: 0 };
    if (!this.deps.pay) return { ...report, skipped: "no_pay" };
    const lock = await this.deps.kv.lock(SWEEP_LOCK, SWEEP_LOCK_TTL_MS);
    if (!lock) return { ...report, skipped: "locked" };
    try {
      await this.sweepOrders(report);
      await this.sweepCredits(report);
      await this.sweepRefunds(report);
      if (report.queried || report.credited || report.failures || report.refundsQueried) this.deps.logger.info({ ...report }, "payment sweep");
      return report;
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  private async attempt(report: SweepReport, what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      report.failures++;
      this.deps.logger.warn({ err: error }, `payment sweep: ${what} failed`);
    }
  }

  private async sweepOrders(report: SweepReport): Promise<void> {
    const { deps } = this;
    const now = deps.clock.now();
    const orders = deps.dataSource.getRepository(PayOrder);
    const pending = await orders.find({ where: { status: "pending", createdAt: LessThan(new Date(now.getTime() - QUERY_AFTER_MS)) }, order: { createdAt: "ASC" }, take: BATCH });
    for (const order of pending) {
      report.queried++;
      await this.attempt(report, `query ${order.outTradeNo}`, async () => {
        await syncOrder(deps, order);
        const after = await orders.findOneBy({ id: order.id });
        // WeChat did not answer usefully but the order is long expired: close it anyway.
        if (after?.status === "pending" && after.expiresAt.getTime() + QUERY_AFTER_MS < now.getTime()) await closeAtWechat(deps, after);
        if ((await orders.findOneBy({ id: order.id }))?.status === "closed") report.closed++;
      });
    }
  }

  private async sweepCredits(report: SweepReport): Promise<void> {
    const owed = await this.deps.dataSource.getRepository(PayOrder).find({ where: { status: "paid", creditedAt: IsNull(), needsRefund: false }, order: { paidAt: "ASC" }, take: BATCH });
    for (const order of owed) {
      await this.attempt(report, `credit ${order.outTradeNo}`, async () => {
        if ((await creditOrder(this.deps, order.id)) === "settled") report.credited++;
        else report.failures++;
      });
    }
  }

  private async sweepRefunds(report: SweepReport): Promise<void> {
    const { deps } = this;
    const now = deps.clock.now();
    const refunds = deps.dataSource.getRepository(PayRefund);
    const open = await refunds.find({ where: { status: In(["requested", "processing"]), updatedAt: LessThan(new Date(now.getTime() - QUERY_AFTER_MS)) }, order: { createdAt: "ASC" }, take: BATCH });
    for (const refund of open) {
      const order = await deps.dataSource.getRepository(PayOrder).findOneByOrFail({ id: refund.orderId });
      await this.attempt(report, `refund ${refund.outRefundNo}`, async () => {
        if (refund.status === "requested") {
          report.refundsResent++;
          await submitRefund(deps, order, refund);
          return;
        }
        report.refundsQueried++;
        const result = await deps.pay!.gateway.queryRefund(refund.outRefundNo);
        if (result) await applyRefundResult(deps, refund.id, result);
        await refunds.update({ id: refund.id, status: "processing" }, { updatedAt: deps.clock.now() });
      });
    }
    const undebited = await refunds.find({ where: { status: "success", debitedAt: IsNull() }, order: { createdAt: "ASC" }, take: BATCH });
    for (const refund of undebited) {
      await this.attempt(report, `debit ${refund.outRefundNo}`, async () => {
        if (await debitRefund(deps, refund.id)) report.refundsDebited++;
        else report.failures++;
      });
    }
  }

  /** Yesterday (China time), once per day across instances. */
  async reconcileYesterday(): Promise<void> {
    const { deps } = this;
    if (!deps.pay || !(await deps.settings.get("payments.reconcile.enabled"))) return;
    const billDate = addDays(chinaDate(deps.clock.now()), -1);
    const lock = await deps.kv.lock(`payments:reconcile:${billDate}`, 10 * 60_000);
    if (!lock) return;
    try {
      await reconcileDay(deps, billDate, "job");
    } finally {
      await lock.release().catch(() => undefined);
    }
  }
}
