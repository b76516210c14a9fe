import { conflict, notFound } from "../http/errors";
import { nextMsgId, type CallbackSender, type XmlFieldValue } from "./callbackSender";
import { itemFromPassiveReply, mediaUrl, type ChatItem } from "./chatItems";
import type { FakeQrCode, FakeWechatState } from "./fakeWechatState";
import type { SandboxFans } from "./sandboxFans";
import { tapMenuButton, viewDestination } from "./sandboxMenu";
import type { Delivery, Timeline, TimelineEntry } from "./timeline";

/** Where this request's pushes go and where links handed to the product should point. */
export interface Origins {
  /** This server as reachable from itself: the callback target. */
  self: string;
  /** This server as the browser reached it: for PicUrl links agents open. */
  public: string;
}

export interface PushResult {
  callback: { ok: boolean; status: number | null; error?: string };
  /** The fan's entry and, when there was one, the passive reply. */
  entries: TimelineEntry[];
  /** A VIEW tap's page, for the simulator to open (an OAuth link already carries the fan's code). */
  open?: string;
}

export interface ImageUpload {
  contentType: string;
  fileName: string;
  data: Buffer;
}

/** One second of AMR-NB silence (NO_DATA frames): what the product downloads for a simulated voice message. */
const AMR_SILENCE = Buffer.concat([Buffer.from("#!AMR\n", "latin1"), Buffer.alloc(50, 0x7c)]);
const QR_SCENE_PREFIX = "qrscene_";
const DEFAULT_LOCATION_SCALE = 15;

/**
 * What a fan does on their phone, each turned into the push WeChat would make to /wechat: messages
 * (text, image, voice, location) and events (follow, unfollow, menu taps, QR scans). Each push and the
 * passive reply land in the timeline; the fake WeChat's idea of the fan (following or not) changes
 * first, as it does in WeChat.
 */
export class FanPhone {
  /** Last CreateTime per fan and event, to keep two taps in one second from looking like a retry. */
  private readonly lastEventTime = new Map<string, number>();

  constructor(
    private readonly fake: FakeWechatState,
    private readonly fans: SandboxFans,
    private readonly timeline: Timeline,
    private readonly sender: CallbackSender,
  ) {}

  async sendText(origins: Origins, openid: string, content: string, bizMsgMenuId?: string): Promise<PushResult> {
    await this.requireFollower(openid);
    return this.pushMessage(
      origins,
      openid,
      { MsgType: "text", Content: content, ...(bizMsgMenuId ? { bizmsgmenuid: bizMsgMenuId } : {}) },
      { kind: "text", content },
    );
  }

  async sendImage(origins: Origins, openid: string, image: ImageUpload): Promise<PushResult> {
    await this.requireFollower(openid);
    const media = this.fake.addMedia({ type: "image", ...image });
    const url = mediaUrl(media.mediaId);
    return this.pushMessage(
      origins,
      openid,
      { MsgType: "image", PicUrl: `${origins.public}${url}`, MediaId: media.mediaId },
      { kind: "image", mediaId: media.mediaId, url },
    );
  }

  async sendVoice(origins: Origins, openid: string, recognition: string): Promise<PushResult> {
    await this.requireFollower(openid);
    const media = this.fake.addMedia({ type: "voice", contentType: "audio/amr", fileName: "voice.amr", data: AMR_SILENCE });
    return this.pushMessage(
      origins,
      openid,
      { MsgType: "voice", MediaId: media.mediaId, Format: "amr", Recognition: recognition },
      { kind: "voice", mediaId: media.mediaId, url: mediaUrl(media.mediaId), recognition },
    );
  }

  async sendLocation(origins: Origins, openid: string, place: { latitude: number; longitude: number; label: string; scale?: number }): Promise<PushResult> {
    await this.requireFollower(openid);
    const scale = place.scale ?? DEFAULT_LOCATION_SCALE;
    return this.pushMessage(
      origins,
      openid,
      { MsgType: "location", Location_X: place.latitude, Location_Y: place.longitude, Scale: scale, Label: place.label },
      { kind: "location", latitude: place.latitude, longitude: place.longitude, scale, label: place.label },
    );
  }

  async follow(origins: Origins, openid: string): Promise<PushResult> {
    const fan = await this.fans.require(openid);
    if (fan.subscribed) throw conflict("already_following", "已经关注了公众号");
    this.fans.setSubscribed(openid, true);
    return this.pushEvent(origins, openid, { Event: "subscribe", EventKey: "" }, "你关注了公众号");
  }

  async unfollow(origins: Origins, openid: string): Promise<PushResult> {
    const fan = await this.fans.require(openid);
    if (!fan.subscribed) throw conflict("not_following", "还没有关注公众号");
    this.fans.setSubscribed(openid, false);
    return this.pushEvent(origins, openid, { Event: "unsubscribe", EventKey: "" }, "你取消关注了公众号");
  }

  async tapMenu(origins: Origins, openid: string, tap: { top: number; sub?: number; name: string }): Promise<PushResult> {
    await this.requireFollower(openid);
    const button = tapMenuButton(this.fake, tap);
    const menuId = Number(this.fake.menu?.menuid ?? 0);
    switch (button.type) {
      case "click":
        return this.pushEvent(origins, openid, { Event: "CLICK", EventKey: button.key }, `你点击了菜单「${button.name}」`);
      case "view": {
        const result = await this.pushEvent(origins, openid, { Event: "VIEW", EventKey: button.url, MenuId: menuId }, `你打开了菜单「${button.name}」`);
        return { ...result, open: viewDestination(this.fake, openid, button.url) };
      }
      case "miniprogram":
        return this.pushEvent(
          origins,
          openid,
          { Event: "view_miniprogram", EventKey: button.pagePath, MenuId: menuId },
          `你打开了菜单「${button.name}」的小程序（沙箱中无法显示）`,
        );
    }
  }

  /** Scanning a parametric QR code: SCAN for a follower, a follow carrying `qrscene_<scene>` otherwise. */
  async scan(origins: Origins, openid: string, code: { scene?: string; ticket?: string }): Promise<PushResult> {
    const fan = await this.fans.require(openid);
    const qrCode = code.ticket !== undefined ? this.fake.qrCode(code.ticket) : this.qrCodeByScene(code.scene ?? "");
    if (!qrCode) {
      throw notFound(
        code.ticket !== undefined ? "没有找到这个 ticket 对应的二维码（可能已过期）" : `没有找到场景值为「${code.scene}」的二维码（可能未创建或已过期）`,
      );
    }
    const scene = qrCode.sceneStr ?? String(qrCode.sceneId ?? "");
    if (fan.subscribed) {
      return this.pushEvent(origins, openid, { Event: "SCAN", EventKey: scene, Ticket: qrCode.ticket }, `你扫描了二维码（场景 ${scene}）`);
    }
    this.fans.setSubscribed(openid, true, scene);
    return this.pushEvent(
      origins,
      openid,
      { Event: "subscribe", EventKey: `${QR_SCENE_PREFIX}${scene}`, Ticket: qrCode.ticket },
      `你扫描二维码（场景 ${scene}）关注了公众号`,
    );
  }

  private async requireFollower(openid: string): Promise<void> {
    const fan = await this.fans.require(openid);
    if (!fan.subscribed) throw conflict("not_following", "请先关注公众号，才能给公众号发消息");
  }

  /** The newest unexpired code for a scene (an agent's login QR is one per attempt). */
  private qrCodeByScene(scene: string): FakeQrCode | undefined {
    let newest: FakeQrCode | undefined;
    for (const { ticket } of this.fake.qrCodes.values()) {
      const qrCode = this.fake.qrCode(ticket);
      if (!qrCode || (qrCode.sceneStr ?? String(qrCode.sceneId ?? "")) !== scene) continue;
      if (!newest || qrCode.createdAt >= newest.createdAt) newest = qrCode;
    }
    return newest;
  }

  private pushMessage(origins: Origins, openid: string, fields: Record<string, XmlFieldValue>, item: ChatItem): Promise<PushResult> {
    const createTime = Math.floor(this.fake.clock.now().getTime() / 1000);
    return this.push(origins, openid, createTime, { ...fields, MsgId: nextMsgId() }, item);
  }

  private pushEvent(origins: Origins, openid: string, fields: { Event: string } & Record<string, XmlFieldValue>, label: string): Promise<PushResult> {
    // Events are deduplicated on fan + CreateTime + Event; a fan tapping twice in one second means it twice.
    // Follow and unfollow share one clock too, so their order survives WeChat's one-second CreateTime.
    const key = `${openid}:${fields.Event === "unsubscribe" ? "subscribe" : fields.Event}`;
    const now = Math.floor(this.fake.clock.now().getTime() / 1000);
    const createTime = Math.max(now, (this.lastEventTime.get(key) ?? 0) + 1);
    this.lastEventTime.set(key, createTime);
    const eventKey = typeof fields.EventKey === "string" && fields.EventKey !== "" ? { eventKey: fields.EventKey } : {};
    return this.push(origins, openid, createTime, { MsgType: "event", ...fields }, { kind: "event", event: fields.Event, ...eventKey, label });
  }

  private async push(origins: Origins, openid: string, createTime: number, fields: Record<string, XmlFieldValue>, item: ChatItem): Promise<PushResult> {
    const sent = this.timeline.record(openid, { from: "fan", item, delivery: { state: "pending" } });
    const outcome = await this.sender.push(origins.self, openid, createTime, fields);
    const delivery: Delivery = outcome.ok
      ? { state: "delivered", status: outcome.status }
      : { state: "failed", status: outcome.status, error: outcome.error };
    const entries = [this.timeline.update(sent, { delivery })];
    if (outcome.ok && outcome.reply) {
      entries.push(this.timeline.record(openid, { from: "account", via: "passive", item: itemFromPassiveReply(outcome.reply) }));
    }
    return {
      callback: outcome.ok ? { ok: true, status: outcome.status } : { ok: false, status: outcome.status, error: outcome.error },
      entries,
    };
  }
}
