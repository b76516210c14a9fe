import { randomBytes } from "node:crypto";
import type { DataSource } from "typeorm";
import { notFound } from "../http/errors";
import { Fan } from "../modules/fans/fan.entity";
import type { FakeFan, FakeWechatState } from "./fakeWechatState";

/** A fan as the simulator's picker shows it. */
export interface SandboxFanView {
  openid: string;
  nickname: string;
  subscribed: boolean;
}

/** DB-only fans shown in the picker; enough for any demo. */
const DB_FANS_LIMIT = 200;

/**
 * The simulated WeChat users: whoever the fake WeChat knows, plus fans the product has stored (from an
 * earlier run, whose fake state is gone), who are registered in the fake again when first used.
 */
export class SandboxFans {
  constructor(
    private readonly fake: FakeWechatState,
    private readonly dataSource: DataSource,
  ) {}

  async list(): Promise<SandboxFanView[]> {
    const known = [...this.fake.fans.values()].map(present);
    const stored = await this.dataSource.getRepository(Fan).find({ order: { createdAt: "DESC" }, take: DB_FANS_LIMIT });
    const storedOnly = stored.filter((fan) => !this.fake.fans.has(fan.openid)).map(presentStored);
    return [...known, ...storedOnly];
  }

  /** A new WeChat user who has not followed the account yet. */
  create(nickname: string): SandboxFanView {
    // Real openids are 28 characters starting with "o"; this keeps that length and says where it came from.
    const openId = `oSandbox${randomBytes(15).toString("base64url")}`;
    return present(this.fake.upsertFan({ openId, nickname, subscribed: false }));
  }

  /** The fan as the fake knows them; 404 when neither the fake nor the database has heard of them. */
  async require(openid: string): Promise<FakeFan> {
    const known = this.fake.fans.get(openid);
    if (known) return known;
    const stored = await this.dataSource.getRepository(Fan).findOneBy({ openid });
    if (!stored) throw notFound("没有这个粉丝，请刷新列表后重试");
    return this.fake.upsertFan({
      openId: stored.openid,
      nickname: presentStored(stored).nickname,
      subscribed: stored.subscribed,
      ...(stored.subscribedAt ? { subscribeTime: Math.floor(stored.subscribedAt.getTime() / 1000) } : {}),
    });
  }

  setSubscribed(openid: string, subscribed: boolean, qrSceneStr?: string): FakeFan {
    return this.fake.upsertFan({ openId: openid, subscribed, ...(qrSceneStr !== undefined ? { qrSceneStr } : {}) });
  }

  present(fan: FakeFan): SandboxFanView {
    return present(fan);
  }
}

function present(fan: FakeFan): SandboxFanView {
  return { openid: fan.openId, nickname: fan.nickname || `微信用户${fan.openId.slice(-4)}`, subscribed: fan.subscribed };
}

function presentStored(fan: Fan): SandboxFanView {
  return { openid: fan.openid, nickname: fan.nickname || `微信用户${fan.openid.slice(-4)}`, subscribed: fan.subscribed };
}
