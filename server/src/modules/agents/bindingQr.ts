import { randomBytes } from "node:crypto";
import { IsNull, Not, QueryFailedError, type DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import type { KeyValueStore } from "../../infra/kv/keyValueStore";
import type { RealtimePublisher } from "../../realtime/publisher";
import type { WechatApiClient } from "../../wechat/api/client";
import type { PassiveReply } from "../../wechat/callback/messages";
import { Agent, AgentGroup } from "./agent.entity";
import { presentAgent } from "./presenters";

/**
 * Binding an agent's own WeChat: an admin issues a one-time temporary QR code (`bind_…` scene, 7 days)
 * for the agent; the scan's openid becomes the agent's WeChat ID. Re-issuing invalidates the previous
 * code; a successful scan uses the code up.
 *
 * State, in the key-value store:
 * - `agent-binding:<scene>` → agentId (the code, single use)
 * - `agent-binding-current:<agentId>` → the agent's current code {scene, imageUrl, expiresAt}
 */

export const BINDING_QR_TTL_MS = 7 * 24 * 3600_000;
const SCENE_PREFIX = "bind_";

export const BINDING_TEXTS = {
  expired: "绑定二维码已失效（已被使用、已重新生成或超过 7 天）。请联系管理员重新生成绑定二维码。",
  success: (agent: Pick<Agent, "name" | "jobNumber">) =>
    `绑定成功：您的微信已绑定客服账号 ${agent.name}（工号 ${agent.jobNumber}）。今后请用本微信扫描客服工作台的登录二维码登录。`,
  boundToOther: (other: Pick<Agent, "name" | "jobNumber">) =>
    `绑定失败：您的微信已绑定客服账号 ${other.name}（工号 ${other.jobNumber}），一个微信只能绑定一个客服账号。如需更换，请联系管理员。`,
};

export interface BindingQr {
  scene: string;
  imageUrl: string;
  expiresAt: string;
}

const codeKey = (scene: string) => `agent-binding:${scene}`;
const currentKey = (agentId: string) => `agent-binding-current:${agentId}`;

export const isBindingScene = (scene: string) => scene.startsWith(SCENE_PREFIX);

/** Thrown inside the binding transaction when the code was used concurrently: rolls the binding back. */
class CodeAlreadyUsed extends Error {}

export class BindingQrService {
  constructor(
    private readonly deps: {
      kv: KeyValueStore;
      wechat: WechatApiClient;
      dataSource: DataSource;
      clock: Clock;
      realtime: () => RealtimePublisher;
    },
  ) {}

  /** A new binding code for the agent; the previous one stops working. */
  async issue(agentId: string): Promise<BindingQr> {
    const scene = `${SCENE_PREFIX}${randomBytes(18).toString("base64url")}`;
    const qrCode = await this.deps.wechat.createTemporaryQrCode(scene, BINDING_QR_TTL_MS / 1000);
    const issued: BindingQr = { scene, imageUrl: qrCode.imageUrl, expiresAt: new Date(this.deps.clock.now().getTime() + BINDING_QR_TTL_MS).toISOString() };
    await this.invalidate(agentId);
    await this.deps.kv.set(codeKey(scene), agentId, BINDING_QR_TTL_MS);
    await this.deps.kv.set(currentKey(agentId), JSON.stringify(issued), BINDING_QR_TTL_MS);
    return issued;
  }

  /** The agent's code that still works, if any (so the admin can show it again without re-issuing). */
  async current(agentId: string): Promise<BindingQr | null> {
    const raw = await this.deps.kv.get(currentKey(agentId));
    if (!raw) return null;
    const issued = JSON.parse(raw) as BindingQr;
    return (await this.deps.kv.get(codeKey(issued.scene))) === agentId ? issued : null;
  }

  /** Stops the agent's current code from working (re-issue, deletion). */
  async invalidate(agentId: string): Promise<void> {
    const raw = await this.deps.kv.get(currentKey(agentId));
    if (!raw) return;
    await this.deps.kv.deleteIfEquals(codeKey((JSON.parse(raw) as BindingQr).scene), agentId);
    await this.deps.kv.delete(currentKey(agentId));
  }

  /** A WeChat user scanned a binding code: bind their openid to its agent, or say why not. */
  async scanned(openid: string, scene: string): Promise<PassiveReply> {
    const { kv, dataSource, clock } = this.deps;
    const agentId = await kv.get(codeKey(scene));
    if (!agentId) return text(BINDING_TEXTS.expired);
    const agents = dataSource.getRepository(Agent);
    const agent = await agents.findOneBy({ id: agentId, deletedAt: IsNull() });
    if (!agent) return text(BINDING_TEXTS.expired);
    const other = await agents.findOneBy({ wechatOpenid: openid, deletedAt: IsNull(), id: Not(agentId) });
    // Refused scans leave the code working, for the WeChat it was meant for.
    if (other) return text(BINDING_TEXTS.boundToOther(other));

    const now = clock.now();
    try {
      await dataSource.transaction(async (manager) => {
        await manager.getRepository(Agent).update({ id: agentId, deletedAt: IsNull() }, { wechatOpenid: openid, updatedAt: now });
        // Using the code up inside the transaction: if another scan used it first, this binding rolls back.
        if (!(await kv.deleteIfEquals(codeKey(scene), agentId))) throw new CodeAlreadyUsed();
      });
    } catch (error) {
      if (error instanceof CodeAlreadyUsed) return text(BINDING_TEXTS.expired);
      if (isUniqueViolation(error)) {
        const winner = await agents.findOneBy({ wechatOpenid: openid, deletedAt: IsNull() });
        if (winner) return text(BINDING_TEXTS.boundToOther(winner));
      }
      throw error;
    }
    await kv.delete(currentKey(agentId));
    agent.wechatOpenid = openid;
    agent.updatedAt = now;
    const groupName = agent.groupId ? ((await dataSource.getRepository(AgentGroup).findOneBy({ id: agent.groupId }))?.name ?? null) : null;
    this.deps.realtime().toSupervisors("binding:done", { agent: presentAgent(agent, groupName) });
    return text(BINDING_TEXTS.success(agent));
  }
}

function text(content: string): PassiveReply {
  return { type: "text", content };
}

/** A duplicate key on MySQL/MariaDB or SQLite. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = (error as QueryFailedError & { driverError?: { code?: string; errno?: number } }).driverError;
  return driverError?.code === "ER_DUP_ENTRY" || driverError?.code === "SQLITE_CONSTRAINT_UNIQUE" || driverError?.errno === 1062;
}
