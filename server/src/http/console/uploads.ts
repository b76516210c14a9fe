import Router from "@koa/router";
import type { DataSource } from "typeorm";
import type { SessionStore } from "../../modules/agents/sessions";
import type { FanUploads } from "../../modules/applications/fanUploads";
import { isAtLeast, requireAgent, type ConsoleState } from "./auth";
import { idParam } from "./authInput";

/**
 * Fans' uploaded files for staff: only files attached to a complaint (any staff member) or to an
 * application (ID photos: supervisors and admins, who handle applications). Anything else is 404.
 */
export function createConsoleUploadsRouter(deps: { dataSource: DataSource; sessions: SessionStore; uploads: FanUploads }): Router<ConsoleState> {
  const router = new Router<ConsoleState>({ prefix: "/api/console/uploads" });

  router.get("/:id", requireAgent(deps), async (ctx) => {
    const actor = ctx.state.actor;
    const upload = await deps.uploads.read(idParam(ctx.params.id, "文件不存在"), (file) => {
      if (file.attachedTo?.startsWith("complaint:")) return true;
      if (file.attachedTo?.startsWith("application:")) return isAtLeast(actor, "supervisor");
      return false;
    });
    ctx.set("Cache-Control", "private, max-age=86400");
    ctx.set("X-Content-Type-Options", "nosniff");
    ctx.type = upload.contentType;
    ctx.body = upload.data;
  });

  return router;
}
