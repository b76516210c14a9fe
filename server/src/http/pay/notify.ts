import Router from "@koa/router";
import type { Context } from "koa";
import getRawBody from "raw-body";
import type { PaymentsDeps } from "../../modules/payments/deps";
import { handlePaymentNotification, handleRefundNotification, type NotifyAnswer } from "../../modules/payments/notifyHandling";
import { NotifyRejected, type NotifyHeaders, type RefundResource, type TransactionResource, type VerifiedNotification } from "../../wechat/pay/notifications";

/**
 * WeChat Pay's notifications: POST /pay/notify (payments) and POST /pay/refund-notify (refunds).
 * The signature covers the raw body, so it is read here as a string (size-limited), never parsed first.
 * Answers (WeChat Pay APIv3): 204 = received; 4xx/5xx with {"code":"FAIL","message":…} = not received,
 * WeChat retries (15 s, 15 s, 30 s, 3 min, … for about a day).
 *  - signature/timestamp/decryption rejected → 401 FAIL, a warning, nothing changes;
 *  - recorded (or refused as an anomaly, see notifyHandling.ts) → 204;
 *  - could not be recorded yet (billing system down, or slower than WeChat waits) → 500 FAIL.
 */

/** Notifications are about 1 KB; anything near this is not one. */
const BODY_LIMIT = "64kb";
/** WeChat waits 5 s; answer before that, leaving the rest of the work to finish (and to the job). */
const ANSWER_WITHIN_MS = 4000;

function fail(ctx: Context, status: number, message: string): void {
  ctx.status = status;
  ctx.body = { code: "FAIL", message };
}

function headersOf(ctx: Context): NotifyHeaders {
  const header = (name: string) => ctx.get(name) || undefined;
  return { timestamp: header("wechatpay-timestamp"), nonce: header("wechatpay-nonce"), signature: header("wechatpay-signature"), serial: header("wechatpay-serial") };
}

async function readRawBody(ctx: Context): Promise<string | null> {
  try {
    return await getRawBody(ctx.req, { limit: BODY_LIMIT, length: ctx.get("content-length") || undefined, encoding: "utf8" });
  } catch {
    return null;
  }
}

export function createPayNotifyRouter(deps: PaymentsDeps): Router {
  const router = new Router({ prefix: "/pay" });
  const logger = deps.logger.child({ component: "pay-notify" });

  const endpoint = <T>(kind: "payment" | "refund", handle: (notification: VerifiedNotification<T>) => Promise<NotifyAnswer>) => async (ctx: Context) => {
    if (!deps.pay) return fail(ctx, 503, "payments not configured");
    const body = await readRawBody(ctx);
    if (body === null) {
      logger.warn({ kind, ip: ctx.ip }, "pay notify rejected: body unreadable or too large");
      return fail(ctx, 413, "body unreadable or too large");
    }
    let notification: VerifiedNotification<T>;
    try {
      notification = deps.pay.verifier.verify<T>(headersOf(ctx), body);
    } catch (error) {
      if (!(error instanceof NotifyRejected)) throw error;
      logger.warn({ kind, reason: error.reason, ip: ctx.ip, serial: ctx.get("wechatpay-serial") || null }, `pay notify rejected: ${error.message}`);
      return fail(ctx, 401, `verification failed: ${error.reason}`);
    }
    const work = handle(notification);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), ANSWER_WITHIN_MS);
    });
    try {
      const answer = await Promise.race([work, late]);
      if (answer === "late") {
        // Still working (a slow billing system): WeChat will ask again, by which time it is recorded.
        work.catch((error) => logger.error({ err: error, id: notification.id }, "pay notify: late work failed"));
        return fail(ctx, 500, "processing, please retry");
      }
      if (answer === "retry") return fail(ctx, 500, "not recorded yet, please retry");
      ctx.status = 204;
    } catch (error) {
      logger.error({ err: error, id: notification.id, kind }, "pay notify: could not be recorded");
      return fail(ctx, 500, "could not be recorded, please retry");
    } finally {
      clearTimeout(timer);
    }
  };

  router.post("/notify", endpoint<TransactionResource>("payment", (notification) => handlePaymentNotification(deps, notification)));
  router.post("/refund-notify", endpoint<RefundResource>("refund", (notification) => handleRefundNotification(deps, notification)));
  return router;
}
