import type { DataSource } from "typeorm";
import type { Clock } from "../../infra/clock";
import { SettingRow } from "./setting.entity";

/**
 * Every admin-editable setting with its default. Values live in the `setting` table; a missing row means
 * the default. Later modules add their keys here so there is one list to read.
 */
export const SETTING_DEFAULTS = {
  /** Text answered to a new follower (passive reply to the subscribe event); empty = no reply. */
  "welcome.text": "您好，欢迎关注水务客服！\n回复“人工”联系在线客服，点击下方菜单可绑定户号、查询水费、在线缴费。",
  /** Customer-service messages allowed after a fan's message, and for how long (WeChat's current rule: 5 in 48 h). */
  "quota.afterMessage.count": 5,
  "quota.afterMessage.windowMinutes": 48 * 60,
  /** Customer-service messages allowed after a menu click, follow or QR scan (WeChat's current rule: 3 in 1 min). */
  "quota.afterEvent.count": 3,
  "quota.afterEvent.windowMinutes": 1,
} as const;

export type SettingKey = keyof typeof SETTING_DEFAULTS;
type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;
export type SettingValue<K extends SettingKey> = Widen<(typeof SETTING_DEFAULTS)[K]>;

/** Reads settings through a short in-process cache so hot paths (reply hooks, the outbox) don't query each time. */
export class Settings {
  private cache: { values: Map<string, unknown>; loadedAt: number } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly cacheMs = 5000,
  ) {}

  async get<K extends SettingKey>(key: K): Promise<SettingValue<K>> {
    const values = await this.load();
    return (values.has(key) ? values.get(key) : SETTING_DEFAULTS[key]) as SettingValue<K>;
  }

  async set<K extends SettingKey>(key: K, value: SettingValue<K>): Promise<void> {
    await this.dataSource.getRepository(SettingRow).save({ key, value, updatedAt: this.clock.now() });
    this.cache = null;
  }

  private async load(): Promise<Map<string, unknown>> {
    const now = this.clock.now().getTime();
    if (this.cache && now - this.cache.loadedAt < this.cacheMs) return this.cache.values;
    const rows = await this.dataSource.getRepository(SettingRow).find();
    const values = new Map(rows.map((row) => [row.key, row.value]));
    this.cache = { values, loadedAt: now };
    return values;
  }
}
