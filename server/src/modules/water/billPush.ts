import { createTask, validate, type ScheduledTask } from "node-cron";
import type { KeyValueLock } from "../../infra/kv/keyValueStore";
import { newId } from "../../infra/ids";
import { isDuplicateKey, withTransaction } from "../conversations/db";
import { enqueueOutbound } from "../outbox/outbox";
import { SETTING_DEFAULTS } from "../settings/settings";
import type { Bill } from "./billingGateway";
import { WaterBillNotice, WaterBinding } from "./binding.entity";
import type { WaterDeps } from "./deps";
import { chinaMonth, monthLabel } from "./tariff";
import { amount, characterString, thing } from "./templateValues";

/**
 * The monthly bill notice: for every subscribed binding, the account's latest bill (if it is last month's
 * or newer) goes to the fan as a template message linking to that month's H5 detail page.
 *
 * Exactly once per account, month and fan, however many instances run it: a KV lock keeps overlapping
 * runs apart, and the water_bill_notice row — unique on (customer number, month, fan) and written in the
 * same transaction as the outbox row — decides if the lock is ever lost (a second transaction hits the
 * duplicate key and rolls back its outbox row with it).
 */

const LOCK_KEY = "water:bill-push";
const LOCK_TTL_MS = 10 * 60_000;
const SCHEDULE_CHECK_MS = 60_000;
export const BILL_PUSH_TIMEZONE = "Asia/Shanghai";

export interface BillPushReport {
  /** Why nothing was sent, when nothing could be. */
  skipped?: "no_template" | "locked";
  subscriptions: number;
  sent: number;
  /** Already notified for that month (an earlier or concurrent run). */
  alreadySent: number;
  /** No bill of last month or newer. */
  noCurrentBill: number;
  /** The billing system failed for these accounts (the next run tries again). */
  failed: number;
}

export class BillPushJob {
  private task: ScheduledTask | null = null;
  private schedule: string | null = null;
  private scheduleTimer: NodeJS.Timeout | null = null;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: WaterDeps) {}

  async start(): Promise<void> {
    await this.applySchedule();
    // Admins change the schedule at run time; every instance picks the change up within a minute.
    this.scheduleTimer = setInterval(() => void this.applySchedule().catch((error) => this.deps.logger.error({ err: error }, "bill push schedule check failed")), SCHEDULE_CHECK_MS);
    this.scheduleTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.scheduleTimer) clearInterval(this.scheduleTimer);
    this.scheduleTimer = null;
    await this.destroyTask();
    await Promise.allSettled([...this.running]);
  }

  /** The cron expression in force (null before start). */
  get currentSchedule(): string | null {
    return this.schedule;
  }

  private async applySchedule(): Promise<void> {
    let expression = (await this.deps.settings.get("water.billPush.schedule")).trim();
    if (!validate(expression)) {
      this.deps.logger.error({ schedule: expression }, "invalid bill push schedule; using the default");
      expression = SETTING_DEFAULTS["water.billPush.schedule"];
    }
    if (expression === this.schedule && this.task) return;
    await this.destroyTask();
    this.schedule = expression;
    this.task = createTask(expression, () => this.track(this.runOnce()), { name: "water-bill-push", timezone: BILL_PUSH_TIMEZONE, noOverlap: true });
    await this.task.start();
  }

  private async destroyTask(): Promise<void> {
    const task = this.task;
    this.task = null;
    if (task) await task.destroy();
  }

  private track(work: Promise<unknown>): Promise<unknown> {
    const tracked = work.catch((error) => this.deps.logger.error({ err: error }, "bill push failed")).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return tracked;
  }

  /** One run under the lock; `skipped: "locked"` when another instance is running it. */
  async runOnce(): Promise<BillPushReport> {
    const lock: KeyValueLock | null = await this.deps.kv.lock(LOCK_KEY, LOCK_TTL_MS);
    if (!lock) return { skipped: "locked", subscriptions: 0, sent: 0, alreadySent: 0, noCurrentBill: 0, failed: 0 };
    try {
      const report = await this.sendNotices();
      this.deps.logger.info({ ...report }, "bill push run");
      return report;
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  /** The run itself, without the lock: safe to call concurrently (the unique notice row decides). */
  async sendNotices(): Promise<BillPushReport> {
    const { deps } = this;
    const report: BillPushReport = { subscriptions: 0, sent: 0, alreadySent: 0, noCurrentBill: 0, failed: 0 };
    const templateId = (await deps.settings.get("water.billPush.templateId")).trim();
    if (!templateId) {
      deps.logger.warn("bill push: no template id configured (setting water.billPush.templateId)");
      return { ...report, skipped: "no_template" };
    }
    const keys = {
      account: await deps.settings.get("water.billPush.accountKey"),
      period: await deps.settings.get("water.billPush.periodKey"),
      amount: await deps.settings.get("water.billPush.amountKey"),
      status: await deps.settings.get("water.billPush.statusKey"),
    };
    const oldestCurrentMonth = chinaMonth(deps.clock.now(), -1);
    const bindings = await deps.dataSource.getRepository(WaterBinding).find({ where: { subscribed: true }, order: { customerNumber: "ASC", createdAt: "ASC", id: "ASC" } });
    report.subscriptions = bindings.length;

    const latestBills = new Map<string, Bill | null | "failed">();
    for (const binding of bindings) {
      if (!latestBills.has(binding.customerNumber)) {
        try {
          const [latest] = await deps.gateway.bills(binding.customerNumber, 1);
          latestBills.set(binding.customerNumber, latest && latest.month >= oldestCurrentMonth ? latest : null);
        } catch (error) {
          deps.logger.error({ err: error, customerNumber: binding.customerNumber }, "bill push: billing system failed");
          latestBills.set(binding.customerNumber, "failed");
        }
      }
      const bill = latestBills.get(binding.customerNumber);
      if (bill === "failed") {
        report.failed++;
        continue;
      }
      if (!bill) {
        report.noCurrentBill++;
        continue;
      }
      const noticeKey = { customerNumber: binding.customerNumber, month: bill.month, fanOpenid: binding.fanOpenid };
      if (await deps.dataSource.getRepository(WaterBillNotice).existsBy(noticeKey)) {
        report.alreadySent++;
        continue;
      }
      try {
        await withTransaction(deps.dataSource, async (manager) => {
          const outbox = await enqueueOutbound(
            manager,
            {
              kind: "template",
              ref: `water_bill:${binding.customerNumber}:${bill.month}`,
              template: {
                toUser: binding.fanOpenid,
                templateId,
                url: `${deps.publicUrl}/h5/#/bills/${binding.id}/${bill.month}`,
                data: {
                  [keys.account]: { value: characterString(binding.customerNumber) },
                  [keys.period]: { value: thing(`${monthLabel(bill.month)} 用水${bill.volumeM3}立方米`) },
                  [keys.amount]: { value: amount(bill.amountFen) },
                  [keys.status]: { value: thing(bill.status === "paid" ? "已缴清，感谢您按时缴费" : "待缴费，请及时缴纳") },
                },
              },
            },
            deps.clock,
          );
          await manager.getRepository(WaterBillNotice).insert({ id: newId(), ...noticeKey, bindingId: binding.id, outboxId: outbox.id, createdAt: deps.clock.now() });
        });
        report.sent++;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        report.alreadySent++;
      }
    }
    if (report.sent > 0) deps.wakeOutbox();
    return report;
  }
}
