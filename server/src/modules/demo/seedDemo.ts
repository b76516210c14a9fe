import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { newId } from "../../infra/ids";
import { Agent, AgentGroup, DEFAULT_AGENT_SETTINGS, type AgentRole } from "../agents/agent.entity";
import { hashPassword } from "../agents/passwords";
import { Fan } from "../fans/fan.entity";
import type { Sandbox } from "../../sandbox/sandbox";
import { seedWaterDemo } from "../water/demoWater";
import { seedApplicationsDemo } from "../applications/demoApplications";
import { seedGuidesDemo } from "../guides/demoGuides";
import { seedNoticesDemo } from "../notices/demoNotices";

/** Demo fans of the embedded default; the sandbox fan simulator starts with them. */
export const DEMO_FANS = [
  { openid: "oDemoFan0000000000000000001", nickname: "张建国" },
  { openid: "oDemoFan0000000000000000002", nickname: "李秀英" },
  { openid: "oDemoFan0000000000000000003", nickname: "王晓明" },
];

export const DEMO_GROUP = "客服一组";

/**
 * Demo agents, each bound to a WeChat user of the sandbox (their "phone" in the fan simulator, which
 * can scan the console's login QR code). The admin also has a password for password login.
 */
export const DEMO_AGENTS: { jobNumber: string; name: string; role: AgentRole; openid: string; phoneNickname: string; password?: string }[] = [
  { jobNumber: "admin", name: "系统管理员", role: "admin", openid: "oDemoAgent000000000000admin", phoneNickname: "系统管理员的微信", password: "admin123" },
  { jobNumber: "1001", name: "张敏", role: "supervisor", openid: "oDemoAgent0000000000000001001", phoneNickname: "张敏的微信（组长）" },
  { jobNumber: "1002", name: "刘洋", role: "agent", openid: "oDemoAgent0000000000000001002", phoneNickname: "刘洋的微信（客服）" },
];

/** Seeds demo data once; running it again changes nothing. */
export async function seedDemo(options: { dataSource: DataSource; clock: Clock; sandbox: Sandbox | null }): Promise<void> {
  const fans = options.dataSource.getRepository(Fan);
  const now = options.clock.now();
  const people = [...DEMO_FANS, ...DEMO_AGENTS.map((agent) => ({ openid: agent.openid, nickname: agent.phoneNickname }))];
  for (const demo of people) {
    if (!(await fans.existsBy({ openid: demo.openid }))) {
      await fans.insert({
        openid: demo.openid,
        nickname: demo.nickname,
        subscribed: true,
        subscribedAt: now,
        unsubscribedAt: null,
        lastMessageAt: null,
        lastEventAt: null,
        lastInteractionAt: null,
        createdAt: now,
        updatedAt: now,
      });
    }
    options.sandbox?.fake.upsertFan({ openId: demo.openid, nickname: demo.nickname, subscribed: true });
  }
  await seedDemoAgents(options.dataSource, options.clock);
  await seedWaterDemo(options.dataSource, options.clock);
  await seedApplicationsDemo(options.dataSource, options.clock, DEMO_FANS);
  await seedGuidesDemo(options.dataSource, options.clock);
  await seedNoticesDemo(options.dataSource, options.clock);
}

/**
 * Agents are seeded into an empty agent table only: an admin who later deletes or rebinds a demo agent
 * does not see it come back on the next start.
 */
async function seedDemoAgents(dataSource: DataSource, clock: Clock): Promise<void> {
  if ((await dataSource.getRepository(Agent).count()) > 0) return;
  const now = clock.now();
  await dataSource.transaction(async (manager) => {
    const group = { id: newId(), name: DEMO_GROUP, createdAt: now };
    await manager.getRepository(AgentGroup).insert(group);
    for (const demo of DEMO_AGENTS) {
      await manager.getRepository(Agent).insert({
        id: newId(),
        name: demo.name,
        jobNumber: demo.jobNumber,
        role: demo.role,
        groupId: demo.role === "admin" ? null : group.id,
        capacity: 5,
        wechatOpenid: demo.openid,
        passwordHash: demo.password ? await hashPassword(demo.password) : null,
        status: "offline",
        statusChangedAt: null,
        settings: { ...DEFAULT_AGENT_SETTINGS },
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      });
    }
  });
}
