import Router from "@koa/router";
import { z } from "zod";
import type { ComplaintDeps } from "../../modules/complaints/deps";
import { complaintForFan, complaintsForFan } from "../../modules/complaints/queries";
import { fileFanComplaint, revisitComplaint } from "../../modules/complaints/workflow";
import { idParam, paragraph, parseBody } from "../console/authInput";
import { fanOf, requireFan } from "./fanAuth";

/** The fan's complaints and suggestions (H5): file, list, one with its timeline, rate the result. docs/api/complaints.md. */

const uuid = z.string().regex(/^[0-9a-f-]{36}$/, { message: "附件无效，请重新上传" });
export const fanComplaintBody = z.object({
  category: z.enum(["complaint", "suggestion"], { error: "请选择投诉或建议" }),
  content: paragraph("内容", 1000),
  photoUploadIds: z.array(uuid, { error: "照片列表格式不正确" }).max(6, { message: "最多上传 6 张照片" }).default([]),
  voiceUploadId: uuid.nullish(),
  location: z
    .object({
      lat: z.number({ error: "纬度必须是数字" }).min(-90, { message: "纬度不正确" }).max(90, { message: "纬度不正确" }),
      lng: z.number({ error: "经度必须是数字" }).min(-180, { message: "经度不正确" }).max(180, { message: "经度不正确" }),
      label: z.string().trim().max(100, { message: "位置描述最多 100 个字" }).nullish(),
    })
    .nullish(),
  accountId: z.string().regex(/^[0-9a-f-]{36}$/, { message: "所选户号不存在或未绑定" }).nullish(),
  source: z.enum(["h5", "chat_menu"]).default("h5"),
});
const ratingBody = z.object({
  rating: z.number({ error: "请选择满意度" }).int({ message: "满意度为 1–5 分" }).min(1, { message: "满意度为 1–5 分" }).max(5, { message: "满意度为 1–5 分" }),
  comment: z.string().trim().max(500, { message: "评价最多 500 个字" }).nullish(),
});

export function createFanComplaintsRouter(deps: ComplaintDeps): Router {
  const router = new Router({ prefix: "/api/fan/complaints" });
  const fan = requireFan(deps.fanSessions);

  router.get("/", fan, async (ctx) => {
    ctx.body = { complaints: await complaintsForFan(deps, fanOf(ctx).openid) };
  });

  router.post("/", fan, async (ctx) => {
    const body = await parseBody(ctx, fanComplaintBody);
    const { openid } = fanOf(ctx);
    const created = await fileFanComplaint(deps, openid, {
      category: body.category,
      content: body.content.trim(),
      photoUploadIds: body.photoUploadIds,
      voiceUploadId: body.voiceUploadId ?? null,
      location: body.location ? { lat: body.location.lat, lng: body.location.lng, label: body.location.label || null } : null,
      accountId: body.accountId ?? null,
      source: body.source,
    });
    ctx.status = 201;
    ctx.body = { complaint: await complaintForFan(deps, openid, created.id) };
  });

  router.get("/:id", fan, async (ctx) => {
    ctx.body = { complaint: await complaintForFan(deps, fanOf(ctx).openid, idParam(ctx.params.id, "工单不存在")) };
  });

  router.post("/:id/rating", fan, async (ctx) => {
    const id = idParam(ctx.params.id, "工单不存在");
    const body = await parseBody(ctx, ratingBody);
    const { openid } = fanOf(ctx);
    await revisitComplaint(deps, { fan: openid }, id, body.rating, body.comment || null);
    ctx.body = { complaint: await complaintForFan(deps, openid, id) };
  });

  return router;
}
