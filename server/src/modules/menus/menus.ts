import { In, type DataSource } from "typeorm";
import { badRequest, HttpError } from "../../http/errors";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import type { Logger } from "../../infra/logger";
import type { WechatApiClient } from "../../wechat/api/client";
import { WechatApiError } from "../../wechat/api/errors";
import type { Menu } from "../../wechat/api/menu";
import { Agent } from "../agents/agent.entity";
import { recordAudit } from "../audit/audit";
import { isDuplicateKey, withTransaction } from "../conversations/db";
import { enqueueOutbound } from "../outbox/outbox";
import { OutboxMessage } from "../outbox/outboxMessage.entity";
import type { Settings } from "../settings/settings";
import { defaultMenu } from "./defaultMenu";
import { MENU_DRAFT_ID, MenuDraft, MenuPublication } from "./menu.entity";
import type { MenuClickRegistry } from "./menuClicks";
import { MENU_LIMITS, validateMenu } from "./menuValidation";

/**
 * The custom menu: one draft the editor saves, publishes through the outbox (a menu_create row written in
 * the same transaction as the publication and its audit row), and a read-back of what WeChat holds now.
 * An invalid menu is refused with every problem named, before anything is stored or queued.
 */

export interface MenusDeps {
  dataSource: DataSource;
  clock: Clock;
  settings: Settings;
  wechat: WechatApiClient;
  logger: Logger;
  publicUrl: string;
  clicks: MenuClickRegistry;
  wakeOutbox(): void;
}

/** Who acts: an agent (admin) or the system (the sandbox's first publish). */
export type MenuActor = { id: string } | null;

/** The 400 of an invalid menu: the first problem as the message, all of them as details. */
function checked(input: unknown): Menu {
  const result = validateMenu(input);
  if (result.ok) return result.menu;
  throw badRequest(
    "invalid_menu",
    result.issues[0].message,
    result.issues.map((issue) => ({ at: issue.at, field: issue.field, message: issue.message })),
  );
}

/** Seeds the default menu as the draft when there is none (safe when several instances start at once). */
export async function ensureDraft(deps: MenusDeps): Promise<void> {
  const repository = deps.dataSource.getRepository(MenuDraft);
  if (await repository.existsBy({ id: MENU_DRAFT_ID })) return;
  try {
    await repository.insert({ id: MENU_DRAFT_ID, menu: defaultMenu(deps.publicUrl), updatedBy: null, updatedAt: deps.clock.now() });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

async function loadDraft(deps: MenusDeps): Promise<MenuDraft> {
  await ensureDraft(deps);
  return (await deps.dataSource.getRepository(MenuDraft).findOneBy({ id: MENU_DRAFT_ID }))!;
}

export async function saveDraft(deps: MenusDeps, actor: MenuActor, input: unknown) {
  const menu = checked(input);
  await deps.dataSource.getRepository(MenuDraft).save({ id: MENU_DRAFT_ID, menu, updatedBy: actor?.id ?? null, updatedAt: deps.clock.now() });
  return menuState(deps);
}

/**
 * Publishes `input` (or the saved draft): it becomes the draft too, and one menu_create outbox row
 * carries it to WeChat. WeChat's own refusal, should it come, shows on the publication's status.
 */
export async function publishMenu(deps: MenusDeps, actor: MenuActor, input?: unknown) {
  const menu = checked(input === undefined ? (await loadDraft(deps)).menu : input);
  await publishChecked(deps, actor, menu);
  return menuState(deps);
}

async function publishChecked(deps: MenusDeps, actor: MenuActor, menu: Menu): Promise<void> {
  const now = deps.clock.now();
  const publicationId = newId();
  await withTransaction(deps.dataSource, async (manager) => {
    await manager.getRepository(MenuDraft).save({ id: MENU_DRAFT_ID, menu, updatedBy: actor?.id ?? null, updatedAt: now });
    const row = await enqueueOutbound(manager, { kind: "menu_create", menu, ref: `menu_publication:${publicationId}` }, deps.clock);
    await manager.getRepository(MenuPublication).insert({ id: publicationId, menu, publishedBy: actor?.id ?? null, outboxId: row.id, createdAt: now });
    await recordAudit(manager, deps.clock, {
      actorType: actor ? "agent" : "system",
      actorId: actor?.id ?? "menus",
      action: "menu.publish",
      detail: { publicationId, outboxId: row.id, buttons: menu.button.map((button) => button.name) },
    });
  });
  deps.wakeOutbox();
}

/**
 * Sandbox only: the fake WeChat forgets its menu on restart, so when it has none we publish again — the
 * last published menu, or the draft (the default menu) on the very first start.
 */
export async function republishForSandbox(deps: MenusDeps): Promise<void> {
  const last = await deps.dataSource.getRepository(MenuPublication).find({ order: { createdAt: "DESC", id: "DESC" }, take: 1 });
  const menu = last[0]?.menu ?? (await loadDraft(deps)).menu;
  const result = validateMenu(menu);
  if (!result.ok) {
    deps.logger.warn({ issues: result.issues }, "sandbox: the stored menu is invalid; not published");
    return;
  }
  await publishChecked(deps, null, result.menu);
}

const OUTBOX_STATE: Record<string, "publishing" | "published" | "failed"> = {
  pending: "publishing",
  sending: "publishing",
  sent: "published",
  failed: "failed",
  refused: "failed",
};

/** The editor's view: the draft, the last publication and its fate, the registered click keys, the limits. */
export async function menuState(deps: MenusDeps) {
  const draft = await loadDraft(deps);
  const [publication] = await deps.dataSource.getRepository(MenuPublication).find({ order: { createdAt: "DESC", id: "DESC" }, take: 1 });
  const outbox = publication ? await deps.dataSource.getRepository(OutboxMessage).findOneBy({ id: publication.outboxId }) : null;
  const names = await agentNames(deps.dataSource, [draft.updatedBy, publication?.publishedBy ?? null]);
  return {
    draft: { menu: draft.menu, updatedAt: draft.updatedAt.toISOString(), updatedBy: draft.updatedBy ? (names.get(draft.updatedBy) ?? null) : null },
    publication: publication
      ? {
          id: publication.id,
          menu: publication.menu,
          publishedAt: publication.createdAt.toISOString(),
          publishedBy: publication.publishedBy ? (names.get(publication.publishedBy) ?? null) : null,
          status: outbox ? OUTBOX_STATE[outbox.status] : "publishing",
          error: outbox && (outbox.status === "failed" || outbox.status === "refused") ? publishError(outbox) : null,
        }
      : null,
    keys: deps.clicks.list(),
    limits: MENU_LIMITS,
  };
}

function publishError(row: OutboxMessage): string {
  return row.lastErrcode ? `微信拒绝了该菜单（错误码 ${row.lastErrcode}）：${row.lastError ?? ""}`.trim() : (row.lastError ?? "发布失败");
}

async function agentNames(dataSource: DataSource, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const agents = await dataSource.getRepository(Agent).findBy({ id: In(wanted) });
  return new Map(agents.map((agent) => [agent.id, agent.name]));
}

/** What WeChat holds now (GET /cgi-bin/menu/get): null when no menu was ever created through the API. */
export async function readCurrentMenu(deps: MenusDeps): Promise<{ menu: Menu | null; fetchedAt: string }> {
  try {
    const menu = await deps.wechat.getMenu();
    return { menu, fetchedAt: deps.clock.now().toISOString() };
  } catch (error) {
    if (!(error instanceof WechatApiError)) throw error;
    deps.logger.warn({ errcode: error.errcode, errmsg: error.errmsg }, "menu read-back failed");
    throw new HttpError(502, "wechat_unavailable", `读取微信当前菜单失败（错误码 ${error.errcode}），请稍后再试`);
  }
}

export async function readWelcome(deps: Pick<MenusDeps, "settings">) {
  return { text: await deps.settings.get("welcome.text") };
}

export async function updateWelcome(deps: Pick<MenusDeps, "settings" | "dataSource" | "clock">, actor: { id: string }, text: string) {
  await deps.settings.set("welcome.text", text);
  await recordAudit(deps.dataSource, deps.clock, { actorType: "agent", actorId: actor.id, action: "welcome.update", detail: { length: text.length } });
  return readWelcome(deps);
}
