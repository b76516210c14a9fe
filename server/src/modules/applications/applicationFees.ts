import type { EntityManager } from "typeorm";
import { conflict, notFound } from "../../http/errors";
import { Application } from "./application.entity";
import { APPLICATION_TYPE_LABELS, markApplicationPaid } from "./applications";
import type { ApplicationDeps } from "./deps";

/** Where the applications module registers its fee contract for the payments module (ServerContext.services). */
export const APPLICATION_FEES_SERVICE = "applications.fees";

export interface ApplicationFees {
  /** Fee for an application of this fan awaiting payment; throws HttpError 404 (not theirs / unknown) or 409 (not awaiting payment). */
  feeFor(openid: string, applicationId: string): Promise<{ amountFen: number; description: string; customerNumber: string | null }>;
  /** Inside the payments transaction once the payment is verified; idempotent (second call no-op). */
  markPaid(manager: EntityManager, applicationId: string, payment: { orderId: string; paidAt: Date }): Promise<void>;
}

export function createApplicationFees(deps: ApplicationDeps): ApplicationFees {
  return {
    async feeFor(openid, applicationId) {
      const application = await deps.dataSource.getRepository(Application).findOneBy({ id: applicationId, fanOpenid: openid });
      if (!application) throw notFound("申请不存在");
      if (application.status !== "awaiting_payment" || application.paidAt) throw conflict("not_awaiting_payment", "该申请无需支付或已支付");
      return {
        amountFen: application.feeFen,
        description: `${APPLICATION_TYPE_LABELS[application.type]}服务费（${application.number}）`,
        customerNumber: application.customerNumber,
      };
    },
    async markPaid(manager, applicationId, payment) {
      await markApplicationPaid(manager, deps, applicationId, payment);
      // The payments transaction has not committed yet; the dispatcher's poll picks the notice up if this wake is early.
      setTimeout(() => deps.wakeOutbox(), 50).unref?.();
    },
  };
}
