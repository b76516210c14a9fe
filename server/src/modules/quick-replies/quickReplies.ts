import { IsNull, type EntityManager } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { isAtLeast, type ConsoleActor } from "../../http/console/auth";
import { badRequest, forbidden, notFound } from "../../http/errors";
import { likePattern, lockingQuery, withTransaction } from "../conversations/db";
import type { ConversationDeps } from "../conversations/deps";
import { reorder, type MoveTo } from "./ordering";
import { QuickReply, QuickReplyCategory } from "./quickReply.entity";

/**
 * Quick replies: personal (each agent's own) and team (shared, edited by supervisors and admins), in
 * ordered categories, searchable. Position changes lock the siblings' rows in one transaction.
 */

export type QuickReplyScope = "personal" | "team";

type Deps = Pick<ConversationDeps, "dataSource" | "clock">;

const scopeOf = (ownerAgentId: string | null): QuickReplyScope => (ownerAgentId ? "personal" : "team");

function canEdit(actor: ConsoleActor, ownerAgentId: string | null): boolean {
  return ownerAgentId === null ? isAtLeast(actor, "supervisor") : ownerAgentId === actor.id;
}

function assertCanEdit(actor: ConsoleActor, ownerAgentId: string | null): void {
  if (canEdit(actor, ownerAgentId)) return;
  throw forbidden(ownerAgentId === null ? "团队快捷回复只能由组长或管理员维护" : "只能修改自己的快捷回复");
}

function assertVisible(actor: ConsoleActor, ownerAgentId: string | null): void {
  if (ownerAgentId !== null && ownerAgentId !== actor.id) throw notFound("快捷回复不存在");
}

export function presentReply(reply: QuickReply, actor: ConsoleActor) {
  return {
    id: reply.id,
    categoryId: reply.categoryId,
    scope: scopeOf(reply.ownerAgentId),
    title: reply.title,
    content: reply.content,
    position: reply.position,
    editable: canEdit(actor, reply.ownerAgentId),
    updatedAt: reply.updatedAt.toISOString(),
  };
}

export function presentCategory(category: QuickReplyCategory, replies: QuickReply[], actor: ConsoleActor) {
  return {
    id: category.id,
    scope: scopeOf(category.ownerAgentId),
    name: category.name,
    position: category.position,
    editable: canEdit(actor, category.ownerAgentId),
    replies: replies.map((reply) => presentReply(reply, actor)),
  };
}

/** The actor's personal categories, then the team's, each with its replies in order; `q` filters replies by title or content. */
export async function listQuickReplies(deps: Deps, actor: ConsoleActor, q?: string) {
  const manager = deps.dataSource.manager;
  const categories = await manager.getRepository(QuickReplyCategory).find({
    where: [{ ownerAgentId: actor.id }, { ownerAgentId: IsNull() }],
    order: { position: "ASC", id: "ASC" },
  });
  const query = manager
    .getRepository(QuickReply)
    .createQueryBuilder("r")
    .where("(r.owner_agent_id = :actor OR r.owner_agent_id IS NULL)", { actor: actor.id })
    .orderBy("r.position", "ASC")
    .addOrderBy("r.id", "ASC");
  if (q?.trim()) query.andWhere("(r.title LIKE :q ESCAPE '!' OR r.content LIKE :q ESCAPE '!')", { q: likePattern(q.trim()) });
  const replies = await query.getMany();
  const byCategory = new Map<string, QuickReply[]>();
  for (const reply of replies) byCategory.set(reply.categoryId, [...(byCategory.get(reply.categoryId) ?? []), reply]);
  const present = (scope: QuickReplyScope) =>
    categories
      .filter((category) => scopeOf(category.ownerAgentId) === scope)
      .filter((category) => !q?.trim() || byCategory.has(category.id))
      .map((category) => presentCategory(category, byCategory.get(category.id) ?? [], actor));
  return { personal: present("personal"), team: present("team") };
}

async function findCategory(manager: EntityManager, actor: ConsoleActor, id: string): Promise<QuickReplyCategory> {
  const category = await manager.getRepository(QuickReplyCategory).findOneBy({ id });
  if (!category) throw notFound("分类不存在");
  assertVisible(actor, category.ownerAgentId);
  return category;
}

async function findReply(manager: EntityManager, actor: ConsoleActor, id: string): Promise<QuickReply> {
  const reply = await manager.getRepository(QuickReply).findOneBy({ id });
  if (!reply) throw notFound("快捷回复不存在");
  assertVisible(actor, reply.ownerAgentId);
  return reply;
}

/** The categories of one scope, locked, in order. */
function lockedCategories(manager: EntityManager, ownerAgentId: string | null) {
  const query = lockingQuery(manager, QuickReplyCategory, "c");
  if (ownerAgentId) query.where("c.owner_agent_id = :owner", { owner: ownerAgentId });
  else query.where("c.owner_agent_id IS NULL");
  return query.orderBy("c.position", "ASC").addOrderBy("c.id", "ASC").getMany();
}

function lockedReplies(manager: EntityManager, categoryId: string) {
  return lockingQuery(manager, QuickReply, "r").where("r.category_id = :categoryId", { categoryId }).orderBy("r.position", "ASC").addOrderBy("r.id", "ASC").getMany();
}

const nextPosition = (rows: { position: number }[]) => rows.reduce((max, row) => Math.max(max, row.position + 1), 0);

export async function createCategory(deps: Deps, actor: ConsoleActor, input: { scope: QuickReplyScope; name: string }) {
  const owner = input.scope === "personal" ? actor.id : null;
  assertCanEdit(actor, owner);
  const category = await withTransaction(deps.dataSource, async (manager) => {
    const siblings = await lockedCategories(manager, owner);
    const row = manager.getRepository(QuickReplyCategory).create({ id: newId(), ownerAgentId: owner, name: input.name, position: nextPosition(siblings), createdAt: deps.clock.now() });
    await manager.getRepository(QuickReplyCategory).insert(row);
    return row;
  });
  return presentCategory(category, [], actor);
}

export async function renameCategory(deps: Deps, actor: ConsoleActor, id: string, name: string) {
  const category = await findCategory(deps.dataSource.manager, actor, id);
  assertCanEdit(actor, category.ownerAgentId);
  await deps.dataSource.getRepository(QuickReplyCategory).update({ id }, { name });
  const replies = await deps.dataSource.getRepository(QuickReply).find({ where: { categoryId: id }, order: { position: "ASC", id: "ASC" } });
  return presentCategory({ ...category, name }, replies, actor);
}

/** Deletes a category with its replies. */
export async function deleteCategory(deps: Deps, actor: ConsoleActor, id: string): Promise<void> {
  await withTransaction(deps.dataSource, async (manager) => {
    const category = await findCategory(manager, actor, id);
    assertCanEdit(actor, category.ownerAgentId);
    await manager.getRepository(QuickReply).delete({ categoryId: id });
    await manager.getRepository(QuickReplyCategory).delete({ id });
  });
}

/** Rewrites the positions of rows whose place changed. */
async function writeOrder<E extends { id: string; position: number }>(
  manager: EntityManager,
  entity: typeof QuickReply | typeof QuickReplyCategory,
  rows: E[],
  orderedIds: string[],
): Promise<void> {
  const current = new Map(rows.map((row) => [row.id, row.position]));
  for (const [position, id] of orderedIds.entries()) {
    if (current.get(id) !== position) await manager.getRepository(entity).update({ id }, { position });
  }
}

export async function moveCategory(deps: Deps, actor: ConsoleActor, id: string, to: MoveTo) {
  await withTransaction(deps.dataSource, async (manager) => {
    const category = await findCategory(manager, actor, id);
    assertCanEdit(actor, category.ownerAgentId);
    const siblings = await lockedCategories(manager, category.ownerAgentId);
    await writeOrder(manager, QuickReplyCategory, siblings, reorder(siblings.map((row) => row.id), id, to));
  });
  return listQuickReplies(deps, actor);
}

export async function createReply(deps: Deps & { clock: Clock }, actor: ConsoleActor, input: { categoryId: string; title?: string | null; content: string }) {
  const reply = await withTransaction(deps.dataSource, async (manager) => {
    const category = await findCategory(manager, actor, input.categoryId);
    assertCanEdit(actor, category.ownerAgentId);
    const siblings = await lockedReplies(manager, category.id);
    const now = deps.clock.now();
    const row = manager.getRepository(QuickReply).create({
      id: newId(),
      categoryId: category.id,
      ownerAgentId: category.ownerAgentId,
      title: input.title?.trim() || null,
      content: input.content,
      position: nextPosition(siblings),
      createdAt: now,
      updatedAt: now,
    });
    await manager.getRepository(QuickReply).insert(row);
    return row;
  });
  return presentReply(reply, actor);
}

/** Edits a reply's title or content, or moves it to another category of the same scope (at the end). */
export async function updateReply(deps: Deps, actor: ConsoleActor, id: string, input: { title?: string | null; content?: string; categoryId?: string }) {
  const reply = await withTransaction(deps.dataSource, async (manager) => {
    const reply = await findReply(manager, actor, id);
    assertCanEdit(actor, reply.ownerAgentId);
    const changes: Partial<QuickReply> = { updatedAt: deps.clock.now() };
    if (input.title !== undefined) changes.title = input.title?.trim() || null;
    if (input.content !== undefined) changes.content = input.content;
    if (input.categoryId && input.categoryId !== reply.categoryId) {
      const target = await findCategory(manager, actor, input.categoryId);
      if (target.ownerAgentId !== reply.ownerAgentId) throw badRequest("scope_mismatch", "个人与团队快捷回复之间不能移动");
      changes.categoryId = target.id;
      changes.position = nextPosition(await lockedReplies(manager, target.id));
    }
    await manager.getRepository(QuickReply).update({ id }, changes);
    return { ...reply, ...changes } as QuickReply;
  });
  return presentReply(reply, actor);
}

export async function deleteReply(deps: Deps, actor: ConsoleActor, id: string): Promise<void> {
  const reply = await findReply(deps.dataSource.manager, actor, id);
  assertCanEdit(actor, reply.ownerAgentId);
  await deps.dataSource.getRepository(QuickReply).delete({ id });
}

export async function moveReply(deps: Deps, actor: ConsoleActor, id: string, to: MoveTo) {
  const categoryId = await withTransaction(deps.dataSource, async (manager) => {
    const reply = await findReply(manager, actor, id);
    assertCanEdit(actor, reply.ownerAgentId);
    const siblings = await lockedReplies(manager, reply.categoryId);
    await writeOrder(manager, QuickReply, siblings, reorder(siblings.map((row) => row.id), id, to));
    return reply.categoryId;
  });
  const replies = await deps.dataSource.getRepository(QuickReply).find({ where: { categoryId }, order: { position: "ASC", id: "ASC" } });
  return replies.map((reply) => presentReply(reply, actor));
}
