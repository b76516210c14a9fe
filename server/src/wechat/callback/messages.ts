/**
 * Typed inbound messages and events of the official-account callback, and the passive replies we can give.
 * Field names follow WeChat's XML (see shared/reference/wechat-mp.md §4); ids stay strings (MsgId > 2^53).
 */
interface Common {
  /** The official account's original id (gh_…). */
  toUserName: string;
  /** The fan's openid. */
  fromUserName: string;
  /** Unix seconds, as sent. */
  createTime: number;
  /** Deduplication key: `msg:<MsgId>` for messages, `evt:<FromUserName>:<CreateTime>:<Event>` for events. */
  dedupeKey: string;
  /** The plaintext XML as received (after decryption in safe mode). */
  rawXml: string;
}

export type InboundMessage =
  | (Common & { kind: "text"; msgId: string; content: string; bizMsgMenuId?: string })
  | (Common & { kind: "image"; msgId: string; picUrl: string; mediaId: string })
  | (Common & { kind: "voice"; msgId: string; mediaId: string; format: string; recognition?: string })
  | (Common & { kind: "video" | "shortvideo"; msgId: string; mediaId: string; thumbMediaId: string })
  | (Common & { kind: "location"; msgId: string; latitude: number; longitude: number; scale: number; label: string })
  | (Common & { kind: "link"; msgId: string; title: string; description: string; url: string })
  /** Follow; sceneKey is the QR scene with the `qrscene_` prefix removed, when followed by scanning a parametric code. */
  | (Common & { kind: "subscribe"; sceneKey?: string; ticket?: string })
  | (Common & { kind: "unsubscribe" })
  /** A follower scanned a parametric QR code. */
  | (Common & { kind: "scan"; sceneKey: string; ticket?: string })
  | (Common & { kind: "location_report"; latitude: number; longitude: number; precision: number })
  | (Common & { kind: "click"; eventKey: string })
  | (Common & { kind: "view"; url: string; menuId?: string })
  | (Common & { kind: "template_send_job_finish"; msgId: string; status: string })
  /** Any other MsgType/Event: stored raw and acknowledged. */
  | (Common & { kind: "unknown"; msgType: string; event?: string; fields: Record<string, string> });

export type InboundKind = InboundMessage["kind"];

export interface NewsArticle {
  title: string;
  description?: string;
  picUrl?: string;
  url?: string;
}

export type PassiveReply =
  | { type: "text"; content: string }
  | { type: "image"; mediaId: string }
  | { type: "news"; articles: NewsArticle[] }
  | { type: "transfer_customer_service"; kfAccount?: string };
