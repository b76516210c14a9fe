import { randomUUID } from "node:crypto";
import { In, LessThan, MoreThanOrEqual, type DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { Logger } from "../../infra/logger";
import { sqlDate } from "../../infra/db/dataSource";
import type { CustomMessage, WechatApiClient } from "../../wechat/api/client";
import { WechatApiError } from "../../wechat/api/errors";
import { Fan } from "../fans/fan.entity";
import type { Settings } from "../settings/settings";
import { OutboxMessage } from "./outboxMessage.entity";
import type { MenuDefinition, TemplateMessage } from "./outbox";
import { customMessageAllowance, type QuotaRules } from "./replyWindow";

export interface DispatcherOptions {
  /** Rows claimed per round. */
  batchSize?: number;
  pollMs?: number;
  /** How long a claim protects a row; a claim older than this is taken back (the holder died). */
  claimMs?: number;
  /** Attempts before a transient failure becomes permanent. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/** What became of a row: modules listen to show delivery state (e.g. a failed agent reply) without polling. */
export type SettledListener = (row: OutboxMessage, outcome: { status: "sent" | "refused" | "failed"; errcode?: number; error?: string }) => void;

type Outcome =
  | { status: "sent"; result: unknown }
  | { status: "refused" | "failed"; errcode: number; error: string }
  | { status: "retry"; errcode: number; error: string };

/**
 * Sends outbox rows to WeChat. Any number of dispatchers (one per instance) may run at once:
 * rows are claimed with a conditional update, so each row has one sender; a fan's rows go out in
 * order because a row is only eligible when no earlier row of that fan is still pending or sending.
 * Menu publishes are one lane for the whole account the same way: the last one published is the one
 * WeChat keeps, even when an earlier publish needed retries.
 */
export class OutboxDispatcher {
  readonly instanceId = `dispatcher-${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;
  private readonly o: Required<DispatcherOptions>;
  private readonly settledListeners: SettledListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly client: WechatApiClient,
    private readonly settings: Settings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: DispatcherOptions = {},
  ) {
    this.o = {
      batchSize: 20,
      pollMs: 250,
      claimMs: 60_000,
      maxAttempts: 10,
      baseBackoffMs: 1000,
      maxBackoffMs: 5 * 60_000,
      ...options,
    };
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the round under way to finish recording its results. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  onSettled(listener: SettledListener): void {
    this.settledListeners.push(listener);
  }

  private notify(row: OutboxMessage, outcome: Parameters<SettledListener>[1]): void {
    for (const listener of this.settledListeners) {
      try {
        listener(row, outcome);
      } catch (error) {
        this.logger.error({ err: error, outboxId: row.id }, "outbox settled listener failed");
      }
    }
  }

  /** Asks for a round now, e.g. right after a transaction that enqueued rows has committed. */
  wake(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce()
        .catch((error) => this.logger.error({ err: error }, "outbox round failed"))
        .then((count) => {
          this.running = null;
          // A full round suggests more work is waiting: go again at once.
          this.schedule(typeof count === "number" && count >= this.o.batchSize ? 0 : this.o.pollMs);
        });
    }, delayMs);
  }

  /** One round: take back expired claims, claim due rows, send them, record the outcomes. Returns rows handled. */
  async runOnce(): Promise<number> {
    await this.reclaimExpired();
    const rows = await this.claimDue();
    await Promise.all(rows.map((row) => this.dispatch(row)));
    return rows.length;
  }

  private async reclaimExpired(): Promise<void> {
    const now = this.clock.now();
    const result = await this.dataSource
      .getRepository(OutboxMessage)
      .update(
        { status: "sending", claimExpiresAt: LessThan(now) },
        { status: "pending", claimedBy: null, claimExpiresAt: null, nextAttemptAt: now },
      );
    if (result.affected) this.logger.warn({ rows: result.affected }, "outbox: took back rows from a dispatcher that stopped mid-send");
  }

  private async claimDue(): Promise<OutboxMessage[]> {
    const now = this.clock.now();
    const candidates: { id: string }[] = await this.dataSource.query(
      `SELECT o.id FROM outbox_message o
        WHERE o.status = 'pending' AND o.next_attempt_at <= ?
          AND NOT EXISTS (SELECT 1 FROM outbox_message p
                           WHERE p.fan_openid = o.fan_openid AND p.status IN ('pending', 'sending') AND p.id < o.id)
          AND NOT (o.kind IN ('menu_create', 'menu_delete')
                   AND EXISTS (SELECT 1 FROM outbox_message m
                                WHERE m.kind IN ('menu_create', 'menu_delete') AND m.status IN ('pending', 'sending') AND m.id < o.id))
        ORDER BY o.id LIMIT ${Number(this.o.batchSize)}`,
      [sqlDate(this.dataSource, now)],
    );
    if (candidates.length === 0) return [];
    const claim = `${this.instanceId}:${randomUUID().slice(0, 8)}`;
    const repository = this.dataSource.getRepository(OutboxMessage);
    // The conditional update is the claim: of several dispatchers that saw the same row, one wins.
    await repository.update(
      { id: In(candidates.map((c) => c.id)), status: "pending" },
      { status: "sending", claimedBy: claim, claimExpiresAt: new Date(now.getTime() + this.o.claimMs), attempts: () => "attempts + 1" },
    );
    return repository.find({ where: { claimedBy: claim, status: "sending" }, order: { id: "ASC" } });
  }

  private async dispatch(row: OutboxMessage): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.send(row);
    } catch (error) {
      outcome = this.classify(row, error);
    }
    await this.record(row, outcome);
  }

  private async send(row: OutboxMessage): Promise<Outcome> {
    switch (row.kind) {
      case "custom": {
        const refusal = await this.checkQuota(row.fanOpenid!);
        if (refusal) return refusal;
        return { status: "sent", result: await this.client.sendCustomMessage(row.payload as unknown as CustomMessage) };
      }
      case "typing": {
        const { toUser, command } = row.payload as unknown as { toUser: string; command: "Typing" | "CancelTyping" };
        return { status: "sent", result: await this.client.typing(toUser, command) };
      }
      case "template": {
        const template = row.payload as unknown as TemplateMessage;
        // The row id as client_msg_id makes WeChat drop a resend of the same row (e.g. after a crash mid-send).
        return { status: "sent", result: await this.client.sendTemplate({ clientMsgId: row.id.replace(/-/g, ""), ...template }) };
      }
      case "menu_create":
        return { status: "sent", result: await this.client.createMenu(row.payload as unknown as MenuDefinition) };
      case "menu_delete":
        return { status: "sent", result: await this.client.deleteMenu() };
      default:
        return { status: "failed", errcode: -100, error: `unknown outbox kind ${String(row.kind)}` };
    }
  }

  /** Refuses a customer-service message that WeChat would refuse (window closed, quota used) without calling it. */
  private async checkQuota(openid: string): Promise<Outcome | null> {
    const now = this.clock.now();
    const fan = await this.dataSource.getRepository(Fan).findOneBy({ openid });
    const interactions = fan ?? { lastMessageAt: null, lastEventAt: null, lastInteractionAt: null };
    const rules: QuotaRules = {
      afterMessage: {
        count: await this.settings.get("quota.afterMessage.count"),
        windowMs: (await this.settings.get("quota.afterMessage.windowMinutes")) * 60_000,
      },
      afterEvent: {
        count: await this.settings.get("quota.afterEvent.count"),
        windowMs: (await this.settings.get("quota.afterEvent.windowMinutes")) * 60_000,
      },
    };
    const sentSince = async (at: Date | null) =>
      at
        ? this.dataSource.getRepository(OutboxMessage).countBy({
            fanOpenid: openid,
            kind: "custom",
            status: "sent",
            sentAt: MoreThanOrEqual(at),
          })
        : 0;
    const allowance = customMessageAllowance(
      interactions,
      { lastMessage: await sentSince(interactions.lastMessageAt), lastEvent: await sentSince(interactions.lastEventAt) },
      now,
      rules,
    );
    return allowance.allowed ? null : { status: "refused", errcode: allowance.errcode, error: allowance.message };
  }

  private classify(row: OutboxMessage, error: unknown): Outcome {
    if (error instanceof WechatApiError) {
      const detail = `${error.errcode} ${error.errmsg}`.slice(0, 500);
      if (error.retryable && row.attempts < this.o.maxAttempts) return { status: "retry", errcode: error.errcode, error: detail };
      return { status: "failed", errcode: error.errcode, error: detail };
    }
    // Anything else is our bug, not WeChat's answer: keep the row for a later attempt rather than lose it.
    const detail = String((error as Error)?.message ?? error).slice(0, 500);
    this.logger.error({ err: error, outboxId: row.id }, "outbox: unexpected error while sending");
    return row.attempts < this.o.maxAttempts ? { status: "retry", errcode: -99, error: detail } : { status: "failed", errcode: -99, error: detail };
  }

  private backoffMs(attempts: number): number {
    const exponential = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(exponential * (0.8 + Math.random() * 0.4));
  }

  private async record(row: OutboxMessage, outcome: Outcome): Promise<void> {
    const now = this.clock.now();
    const repository = this.dataSource.getRepository(OutboxMessage);
    const mine = { id: row.id, claimedBy: row.claimedBy!, status: "sending" as const };
    const release = { claimedBy: null, claimExpiresAt: null };
    if (outcome.status === "sent") {
      await repository.update(mine, { ...release, status: "sent", sentAt: now, result: toResult(outcome.result), lastErrcode: null, lastError: null });
      this.notify(row, { status: "sent" });
      return;
    }
    if (outcome.status === "retry") {
      await repository.update(mine, {
        ...release,
        status: "pending",
        nextAttemptAt: new Date(now.getTime() + this.backoffMs(row.attempts)),
        lastErrcode: outcome.errcode,
        lastError: outcome.error,
      });
      this.logger.warn({ outboxId: row.id, errcode: outcome.errcode, attempts: row.attempts }, "outbox: transient failure, will retry");
      return;
    }
    await repository.update(mine, { ...release, status: outcome.status, lastErrcode: outcome.errcode, lastError: outcome.error });
    this.notify(row, { status: outcome.status, errcode: outcome.errcode, error: outcome.error });
    this.logger.warn({ outboxId: row.id, kind: row.kind, errcode: outcome.errcode, status: outcome.status }, `outbox: ${outcome.error}`);
  }
}

/** WeChat's answer as a JSON object for the `result` column (void answers become null). */
function toResult(result: unknown): object | null {
  if (result === undefined || result === null) return null;
  return typeof result === "object" && !Array.isArray(result) ? result : { value: result };
}
