import Router from "@koa/router";
import type { Context } from "koa";
import getRawBody from "raw-body";
import type { ConversationDeps } from "../../modules/conversations/deps";
import { ratingPageState, recordRating } from "../../modules/conversations/ratings";
import { badRequest, HttpError } from "../errors";

/**
 * The public rating page a fan reaches from the rating request (PUBLIC_URL/rate/<token>): five buttons,
 * one rating per conversation. The unguessable token is the only credential. Works without JavaScript
 * (a form post, then a redirect back); JSON callers (H5 pages) get JSON.
 */

const LABELS = ["", "非常不满意", "不满意", "一般", "满意", "非常满意"];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f3f6f9;color:#1f2d3d}
main{max-width:420px;margin:0 auto;padding:32px 20px;text-align:center}
h1{font-size:20px;margin:8px 0 20px}p{color:#5a6b7b;line-height:1.6}
form{margin:10px 0}button{width:100%;padding:14px;font-size:17px;border:1px solid #d0dbe6;border-radius:10px;background:#fff;color:#1f2d3d}
button:active{background:#e8f1fb}.stars{color:#f5a623;font-size:28px;letter-spacing:4px}
</style></head><body><main>${body}</main></body></html>`;
}

const stars = (score: number) => `<div class="stars">${"★".repeat(score)}${"☆".repeat(5 - score)}</div>`;

function tokenParam(value: string | undefined): string {
  if (!value || !/^[A-Za-z0-9_-]{16,64}$/.test(value)) throw new HttpError(404, "not_found", "评价链接无效");
  return value;
}

async function readScore(ctx: Context): Promise<number> {
  let text: string;
  try {
    text = await getRawBody(ctx.req, { limit: "4kb", encoding: "utf8" });
  } catch {
    throw badRequest("body_unreadable", "请求内容读取失败");
  }
  let raw: unknown;
  if (ctx.is("application/json")) {
    try {
      raw = (JSON.parse(text) as { score?: unknown }).score;
    } catch {
      throw badRequest("invalid_json", "请求体不是合法的 JSON");
    }
  } else {
    raw = new URLSearchParams(text).get("score");
  }
  const score = Number(raw);
  if (!Number.isInteger(score) || score < 1 || score > 5) throw badRequest("invalid_score", "请选择 1 到 5 分");
  return score;
}

export function createRatingRouter(deps: ConversationDeps): Router {
  const router = new Router();

  router.get("/rate/:token", async (ctx) => {
    const token = tokenParam(ctx.params.token);
    const state = await ratingPageState(deps, token);
    ctx.set("Cache-Control", "no-store");
    ctx.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    ctx.type = "text/html; charset=utf-8";
    if (!state) {
      ctx.status = 404;
      ctx.body = page("评价链接无效", `<h1>评价链接无效</h1><p>请通过公众号消息中的链接进行评价。</p>`);
      return;
    }
    if (state.rated) {
      ctx.body = page("感谢您的评价", `<h1>感谢您的评价</h1>${stars(state.rating!)}<p>您的意见将帮助我们改进服务。</p>`);
      return;
    }
    if (!state.open) {
      ctx.body = page("评价已结束", `<h1>评价已结束</h1><p>本次服务的评价时间已过，感谢您的关注。</p>`);
      return;
    }
    const buttons = [5, 4, 3, 2, 1]
      .map((score) => `<form method="post"><input type="hidden" name="score" value="${score}"><button type="submit">${"★".repeat(score)} ${LABELS[score]}</button></form>`)
      .join("");
    ctx.body = page("请为本次服务评价", `<h1>请为本次客服服务评价</h1><p>您的评价对我们很重要</p>${buttons}`);
  });

  router.post("/rate/:token", async (ctx) => {
    const token = tokenParam(ctx.params.token);
    const score = await readScore(ctx);
    const state = await ratingPageState(deps, token);
    if (!state) throw new HttpError(404, "not_found", "评价链接无效");
    const result = await recordRating(deps, state.conversation, score, "link");
    if (ctx.is("application/json") || ctx.accepts("html", "json") === "json") {
      if (result === "closed") throw new HttpError(409, "rating_closed", "评价时间已过");
      if (result === "already_rated") throw new HttpError(409, "already_rated", "您已评价过本次服务");
      ctx.body = { rating: score };
      return;
    }
    ctx.status = 303;
    ctx.redirect(`/rate/${token}`);
  });

  return router;
}
