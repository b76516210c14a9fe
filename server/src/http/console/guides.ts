import Router from "@koa/router";
import type { SessionStore } from "../../modules/agents/sessions";
import {
  createFeeStandard,
  createGuide,
  createOutlet,
  deleteItem,
  feeStandardsForAdmin,
  getGuide,
  getOutlet,
  listGuides,
  listOutlets,
  updateFeeStandard,
  updateGuide,
  updateOutlet,
  type GuidesDeps,
} from "../../modules/guides/guides";
import { feeStandardSchema, guideSchema, outletSchema } from "../../modules/guides/schemas";
import { requireAgent, type ConsoleState } from "./auth";
import { idParam, parseBody } from "./authInput";

/**
 * Guides, fee standards and service outlets in the console. Any agent may read them (to answer fans);
 * only admins change them. docs/api/guides.md
 */
export function createGuidesConsoleRouter(deps: GuidesDeps & { sessions: SessionStore }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console" });
  const asAgent = requireAgent(deps, "agent");
  const asAdmin = requireAgent(deps, "admin");

  router.get("/guides", asAgent, async (ctx) => {
    ctx.body = { guides: await listGuides(deps, { publishedOnly: false }) };
  });
  router.get("/guides/:id", asAgent, async (ctx) => {
    ctx.body = { guide: await getGuide(deps, idParam(ctx.params.id, "办事指南不存在"), { publishedOnly: false }) };
  });
  router.post("/guides", asAdmin, async (ctx) => {
    const input = await parseBody(ctx, guideSchema);
    ctx.status = 201;
    ctx.body = { guide: await createGuide(deps, ctx.state.actor, input) };
  });
  router.put("/guides/:id", asAdmin, async (ctx) => {
    const id = idParam(ctx.params.id, "办事指南不存在");
    ctx.body = { guide: await updateGuide(deps, ctx.state.actor, id, await parseBody(ctx, guideSchema)) };
  });
  router.delete("/guides/:id", asAdmin, async (ctx) => {
    await deleteItem(deps, ctx.state.actor, "guide", idParam(ctx.params.id, "办事指南不存在"));
    ctx.status = 204;
  });

  router.get("/fee-standards", asAgent, async (ctx) => {
    ctx.body = await feeStandardsForAdmin(deps);
  });
  router.post("/fee-standards", asAdmin, async (ctx) => {
    const input = await parseBody(ctx, feeStandardSchema);
    ctx.status = 201;
    ctx.body = { standard: await createFeeStandard(deps, ctx.state.actor, input) };
  });
  router.put("/fee-standards/:id", asAdmin, async (ctx) => {
    const id = idParam(ctx.params.id, "收费标准不存在");
    ctx.body = { standard: await updateFeeStandard(deps, ctx.state.actor, id, await parseBody(ctx, feeStandardSchema)) };
  });
  router.delete("/fee-standards/:id", asAdmin, async (ctx) => {
    await deleteItem(deps, ctx.state.actor, "fee_standard", idParam(ctx.params.id, "收费标准不存在"));
    ctx.status = 204;
  });

  router.get("/outlets", asAgent, async (ctx) => {
    ctx.body = { outlets: await listOutlets(deps) };
  });
  router.get("/outlets/:id", asAgent, async (ctx) => {
    ctx.body = { outlet: await getOutlet(deps, idParam(ctx.params.id, "营业网点不存在")) };
  });
  router.post("/outlets", asAdmin, async (ctx) => {
    const input = await parseBody(ctx, outletSchema);
    ctx.status = 201;
    ctx.body = { outlet: await createOutlet(deps, ctx.state.actor, input) };
  });
  router.put("/outlets/:id", asAdmin, async (ctx) => {
    const id = idParam(ctx.params.id, "营业网点不存在");
    ctx.body = { outlet: await updateOutlet(deps, ctx.state.actor, id, await parseBody(ctx, outletSchema)) };
  });
  router.delete("/outlets/:id", asAdmin, async (ctx) => {
    await deleteItem(deps, ctx.state.actor, "outlet", idParam(ctx.params.id, "营业网点不存在"));
    ctx.status = 204;
  });

  return router;
}
