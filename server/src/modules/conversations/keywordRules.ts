import { notFound } from "../../http/errors";
import { newId } from "../../infra/ids";
import { reorder, type MoveTo } from "../quick-replies/ordering";
import { KeywordRule, type KeywordMatch } from "./conversation.entity";
import { lockingQuery, withTransaction } from "./db";
import type { ConversationDeps } from "./deps";

/** Admin-defined keyword → reply rules, answered before the queue in their order. */

type Deps = Pick<ConversationDeps, "dataSource" | "clock">;

export interface KeywordRuleInput {
  keyword: string;
  matchType: KeywordMatch;
  reply: string;
  enabled: boolean;
}

export function presentKeywordRule(rule: KeywordRule) {
  return {
    id: rule.id,
    keyword: rule.keyword,
    matchType: rule.matchType,
    reply: rule.reply,
    enabled: rule.enabled,
    position: rule.position,
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
  };
}

export async function listKeywordRules(deps: Deps) {
  const rules = await deps.dataSource.getRepository(KeywordRule).find({ order: { position: "ASC", id: "ASC" } });
  return rules.map(presentKeywordRule);
}

export async function createKeywordRule(deps: Deps, input: KeywordRuleInput) {
  const rule = await withTransaction(deps.dataSource, async (manager) => {
    const rules = await lockingQuery(manager, KeywordRule, "k").getMany();
    const now = deps.clock.now();
    const row = manager.getRepository(KeywordRule).create({
      id: newId(),
      ...input,
      keyword: input.keyword.trim(),
      position: rules.reduce((max, r) => Math.max(max, r.position + 1), 0),
      createdAt: now,
      updatedAt: now,
    });
    await manager.getRepository(KeywordRule).insert(row);
    return row;
  });
  return presentKeywordRule(rule);
}

export async function updateKeywordRule(deps: Deps, id: string, input: Partial<KeywordRuleInput>) {
  const repository = deps.dataSource.getRepository(KeywordRule);
  const changes: Partial<KeywordRule> = { ...input, updatedAt: deps.clock.now() };
  if (input.keyword !== undefined) changes.keyword = input.keyword.trim();
  const result = await repository.update({ id }, changes);
  if (!result.affected) throw notFound("关键词规则不存在");
  return presentKeywordRule((await repository.findOneBy({ id }))!);
}

export async function deleteKeywordRule(deps: Deps, id: string): Promise<void> {
  const result = await deps.dataSource.getRepository(KeywordRule).delete({ id });
  if (!result.affected) throw notFound("关键词规则不存在");
}

export async function moveKeywordRule(deps: Deps, id: string, to: MoveTo) {
  await withTransaction(deps.dataSource, async (manager) => {
    const rules = await lockingQuery(manager, KeywordRule, "k").orderBy("k.position", "ASC").addOrderBy("k.id", "ASC").getMany();
    if (!rules.some((rule) => rule.id === id)) throw notFound("关键词规则不存在");
    const current = new Map(rules.map((rule) => [rule.id, rule.position]));
    for (const [position, ruleId] of reorder(rules.map((rule) => rule.id), id, to).entries()) {
      if (current.get(ruleId) !== position) await manager.getRepository(KeywordRule).update({ id: ruleId }, { position });
    }
  });
  return listKeywordRules(deps);
}
