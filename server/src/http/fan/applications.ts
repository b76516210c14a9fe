import Router from "@koa/router";
import { z } from "zod";
import { applicationOfFan, applicationsOfFan, submitApplication } from "../../modules/applications/applications";
import type { ApplicationDeps } from "../../modules/applications/deps";
import { normalizeIdNumber } from "../../modules/applications/idNumber";
import { PHONE_PATTERN } from "../../modules/water/sms";
import { idParam, parseBody, words } from "../console/authInput";
import { fanOf, requireFan } from "./fanAuth";

/** The fan's applications (H5): submit with phone + SMS code, list, one with its timeline. docs/api/applications.md. */

const uploadId = (label: string) => z.string({ error: `请上传${label}` }).regex(/^[0-9a-f-]{36}$/, { message: `请上传${label}` });

export const applicationBody = z.object({
  type: z.enum(["new_account", "account_change", "meter_check"], { error: "请选择业务类型" }),
  ownerName: words("户主姓名", 50),
  customerNumber: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? null : value),
    z.string({ error: "户号必须是文字" }).trim().regex(/^[A-Za-z0-9-]{4,32}$/, { message: "户号由 4–32 位数字或字母组成" }).nullish(),
  ),
  idNumber: z.string({ error: "请填写身份证号" }).refine((value) => normalizeIdNumber(value) !== null, { message: "身份证号不正确，请核对" }).transform((value) => normalizeIdNumber(value)!),
  idFrontUploadId: uploadId("身份证人像面照片"),
  idBackUploadId: uploadId("身份证国徽面照片"),
  area: words("所在片区", 50),
  address: words("地址", 200),
  detailAddress: words("详细地址", 200),
  phone: z.string({ error: "请填写手机号" }).trim().regex(PHONE_PATTERN, { message: "请填写正确的 11 位手机号" }),
  smsCode: z.string({ error: "请填写验证码" }).trim().regex(/^\d{6}$/, { message: "验证码是 6 位数字" }),
  remark: z.string().trim().max(500, { message: "备注最多 500 个字" }).nullish(),
});

export function createFanApplicationsRouter(deps: ApplicationDeps): Router {
  const router = new Router({ prefix: "/api/fan/applications" });
  const fan = requireFan(deps.fanSessions);

  router.get("/", fan, async (ctx) => {
    ctx.body = { applications: await applicationsOfFan(deps, fanOf(ctx).openid) };
  });

  router.post("/", fan, async (ctx) => {
    const body = await parseBody(ctx, applicationBody);
    ctx.status = 201;
    ctx.body = { application: await submitApplication(deps, fanOf(ctx).openid, { ...body, customerNumber: body.customerNumber ?? null, remark: body.remark || null }) };
  });

  router.get("/:id", fan, async (ctx) => {
    ctx.body = { application: await applicationOfFan(deps, fanOf(ctx).openid, idParam(ctx.params.id, "申请不存在")) };
  });

  return router;
}
