import type { Middleware } from "koa";
import { BillingRejectedError, BillingUnavailableError } from "../../modules/water/billingGateway";
import { HttpError } from "../errors";

/** The billing system's outage is a 503 for the fan, never a 500; its refusal is a 409. */
export const billingErrors: Middleware = async (_ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof BillingUnavailableError) throw new HttpError(503, "billing_unavailable", "账务系统暂时不可用，请稍后再试");
    if (error instanceof BillingRejectedError) throw new HttpError(409, "billing_rejected", "账务系统拒绝了该请求");
    throw error;
  }
};
