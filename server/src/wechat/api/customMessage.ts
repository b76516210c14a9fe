/**
 * Customer-service messages (POST /cgi-bin/message/custom/send, reference §6). The union is plain JSON
 * so the outbox can store a message and replay it later unchanged.
 */

interface Addressing {
  /** The fan's openid. */
  toUser: string;
  /** Send as this customer-service account (prefix@wechat_id), so the fan sees the agent's name. */
  kfAccount?: string;
}

export interface NewsArticle {
  title: string;
  description?: string;
  url?: string;
  picUrl?: string;
}

export type CustomMessage = Addressing &
  (
    | { type: "text"; content: string }
    | { type: "image"; mediaId: string }
    | { type: "voice"; mediaId: string }
    | { type: "video"; mediaId: string; thumbMediaId: string; title?: string; description?: string }
    /** WeChat accepts exactly one article since 2018 (more → 45008). */
    | { type: "news"; articles: [NewsArticle] }
    | { type: "miniprogrampage"; title: string; appId: string; pagePath: string; thumbMediaId: string }
    /** A message with tappable options; a tap comes back as a text message carrying bizmsgmenuid = id. */
    | { type: "msgmenu"; headContent: string; list: { id: string; content: string }[]; tailContent: string }
  );

export type CustomMessageType = CustomMessage["type"];

/** The request body WeChat expects for a message. */
export function customMessageToWire(message: CustomMessage): Record<string, unknown> {
  const wire: Record<string, unknown> = { touser: message.toUser, msgtype: message.type };
  wire[message.type] = contentToWire(message);
  if (message.kfAccount) wire.customservice = { kf_account: message.kfAccount };
  return wire;
}

function contentToWire(message: CustomMessage): Record<string, unknown> {
  switch (message.type) {
    case "text":
      return { content: message.content };
    case "image":
    case "voice":
      return { media_id: message.mediaId };
    case "video":
      return {
        media_id: message.mediaId,
        thumb_media_id: message.thumbMediaId,
        title: message.title,
        description: message.description,
      };
    case "news":
      return {
        articles: message.articles.map((article) => ({
          title: article.title,
          description: article.description,
          url: article.url,
          picurl: article.picUrl,
        })),
      };
    case "miniprogrampage":
      return {
        title: message.title,
        appid: message.appId,
        pagepath: message.pagePath,
        thumb_media_id: message.thumbMediaId,
      };
    case "msgmenu":
      return { head_content: message.headContent, list: message.list, tail_content: message.tailContent };
  }
}
