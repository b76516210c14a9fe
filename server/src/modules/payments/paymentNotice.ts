import type { EntityManager } from "typeorm";
import { enqueueOutbound } from "../outbox/outbox";
import { amount, characterString, templateTime, thing } from "../water/templateValues";
import type { PaymentsDeps } from "./deps";
import type { PayOrder } from "./payment.entity";

/**
 * 缴费成功通知: the template message a fan gets once a bill payment or a top-up is credited to the account
 * (application fees are told by the applications module's own status notice). Written in the transaction
 * that sets credited_at, so it goes out exactly once however many notifications and queries raced.
 */

/** The sandbox shows the notice without configuring a template. */
export const SANDBOX_PAYMENT_TEMPLATE_ID = "tmpl_sandbox_payment_success";

export async function enqueuePaymentNotice(manager: EntityManager, deps: PaymentsDeps, order: PayOrder, settledMonths: string[]): Promise<boolean> {
  const templateId = (await deps.settings.get("payments.successTemplate.id")).trim() || (deps.sandbox ? SANDBOX_PAYMENT_TEMPLATE_ID : "");
  if (!templateId || !order.customerNumber) return false;
  const keys = {
    account: await deps.settings.get("payments.successTemplate.accountKey"),
    amount: await deps.settings.get("payments.successTemplate.amountKey"),
    time: await deps.settings.get("payments.successTemplate.timeKey"),
    remark: await deps.settings.get("payments.successTemplate.remarkKey"),
  };
  const paidAt = order.paidAt ?? deps.clock.now();
  const what = order.purpose === "topup" ? "预存水费已到账" : settledMonths.length > 0 ? `已销账 ${settledMonths.length} 期水费` : "水费已到账";
  await enqueueOutbound(
    manager,
    {
      kind: "template",
      ref: `pay_order:${order.id}`,
      template: {
        toUser: order.fanOpenid,
        templateId,
        url: `${deps.publicUrl}/h5/#/pay/result/${order.id}`,
        data: {
          [keys.account]: { value: characterString(order.customerNumber) },
          [keys.amount]: { value: amount(order.amountFen) },
          [keys.time]: { value: templateTime(paidAt) },
          [keys.remark]: { value: thing(what) },
        },
      },
    },
    deps.clock,
  );
  return true;
}
