import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { Fan } from "../fans/fan.entity";
import type { Sandbox } from "../../sandbox/sandbox";

/** Demo fans of the embedded default; the sandbox fan simulator starts with them. */
export const DEMO_FANS = [
  { openid: "oDemoFan0000000000000000001", nickname: "张建国" },
  { openid: "oDemoFan0000000000000000002", nickname: "李秀英" },
  { openid: "oDemoFan0000000000000000003", nickname: "王晓明" },
];

/** Seeds demo data once; running it again changes nothing. */
export async function seedDemo(options: { dataSource: DataSource; clock: Clock; sandbox: Sandbox | null }): Promise<void> {
  const fans = options.dataSource.getRepository(Fan);
  const now = options.clock.now();
  for (const demo of DEMO_FANS) {
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
}
