/**
 * What one bubble of the simulated chat shows, translated from the three ways the account reaches a fan
 * (customer-service messages, template messages, passive replies) and from what the fan sent. The page
 * renders these and nothing else, so it never parses WeChat's wire formats itself.
 */

export interface ArticleView {
  title: string;
  description: string;
  url: string;
  picUrl: string;
}

export type ChatItem =
  | { kind: "text"; content: string }
  | { kind: "image"; mediaId: string; url: string }
  | { kind: "voice"; mediaId: string; url: string; recognition?: string }
  | { kind: "video"; mediaId: string; url: string; title: string; description: string }
  | { kind: "music"; title: string; description: string; url: string }
  | { kind: "location"; latitude: number; longitude: number; scale: number; label: string }
  | { kind: "news"; articles: ArticleView[] }
  | { kind: "msgmenu"; head: string; options: { id: string; content: string }[]; tail: string }
  | { kind: "miniprogram"; title: string; appId: string; pagePath: string }
  | {
      kind: "template";
      templateId: string;
      url: string;
      miniprogram?: { appId: string; pagePath: string };
      fields: { key: string; value: string; color?: string }[];
    }
  /** A fan action without a bubble (follow, menu tap, scan), shown as a note in the middle. */
  | { kind: "event"; event: string; eventKey?: string; label: string }
  /** The passive reply that hands the conversation to customer service; fans see nothing in WeChat. */
  | { kind: "transfer"; kfAccount?: string }
  | { kind: "other"; msgType: string };

/** Where the page can load a piece of media the fake holds (its CDN-like link needs no token). */
export function mediaUrl(mediaId: string): string {
  return `/sandbox/wechat-api/fake-media/${encodeURIComponent(mediaId)}`;
}

/** A customer-service message as the fake recorded its request body (POST /cgi-bin/message/custom/send). */
export function itemFromCustomMessage(msgType: string, body: Record<string, unknown>): ChatItem {
  const content = record(body[msgType]);
  switch (msgType) {
    case "text":
      return { kind: "text", content: str(content.content) };
    case "image":
      return { kind: "image", mediaId: str(content.media_id), url: mediaUrl(str(content.media_id)) };
    case "voice":
      return { kind: "voice", mediaId: str(content.media_id), url: mediaUrl(str(content.media_id)) };
    case "video":
      return {
        kind: "video",
        mediaId: str(content.media_id),
        url: mediaUrl(str(content.media_id)),
        title: str(content.title),
        description: str(content.description),
      };
    case "music":
      return { kind: "music", title: str(content.title), description: str(content.description), url: str(content.musicurl) };
    case "news":
      return {
        kind: "news",
        articles: list(content.articles).map((article) => ({
          title: str(article.title),
          description: str(article.description),
          url: str(article.url),
          picUrl: str(article.picurl),
        })),
      };
    case "msgmenu":
      return {
        kind: "msgmenu",
        head: str(content.head_content),
        options: list(content.list).map((option) => ({ id: str(option.id), content: str(option.content) })),
        tail: str(content.tail_content),
      };
    case "miniprogrampage":
      return { kind: "miniprogram", title: str(content.title), appId: str(content.appid), pagePath: str(content.pagepath) };
    default:
      return { kind: "other", msgType };
  }
}

/** A template message as the fake recorded its request body (POST /cgi-bin/message/template/send). */
export function itemFromTemplateMessage(body: Record<string, unknown>): ChatItem {
  const miniprogram = record(body.miniprogram);
  return {
    kind: "template",
    templateId: str(body.template_id),
    url: str(body.url),
    ...(miniprogram.appid ? { miniprogram: { appId: str(miniprogram.appid), pagePath: str(miniprogram.pagepath) } } : {}),
    fields: Object.entries(record(body.data)).map(([key, field]) => {
      const color = str(record(field).color);
      return { key, value: str(record(field).value), ...(color ? { color } : {}) };
    }),
  };
}

/** A passive reply's fields as parsed from the reply XML (the children of `<xml>`). */
export function itemFromPassiveReply(fields: Record<string, unknown>): ChatItem {
  const msgType = str(fields.MsgType);
  switch (msgType) {
    case "text":
      return { kind: "text", content: str(fields.Content) };
    case "image": {
      const mediaId = str(record(fields.Image).MediaId);
      return { kind: "image", mediaId, url: mediaUrl(mediaId) };
    }
    case "voice": {
      const mediaId = str(record(fields.Voice).MediaId);
      return { kind: "voice", mediaId, url: mediaUrl(mediaId) };
    }
    case "video": {
      const video = record(fields.Video);
      const mediaId = str(video.MediaId);
      return { kind: "video", mediaId, url: mediaUrl(mediaId), title: str(video.Title), description: str(video.Description) };
    }
    case "music": {
      const music = record(fields.Music);
      return { kind: "music", title: str(music.Title), description: str(music.Description), url: str(music.MusicUrl) };
    }
    case "news":
      // xml2js gives one <item> as an object and several as an array.
      return {
        kind: "news",
        articles: list(record(fields.Articles).item).map((item) => ({
          title: str(item.Title),
          description: str(item.Description),
          url: str(item.Url),
          picUrl: str(item.PicUrl),
        })),
      };
    case "transfer_customer_service": {
      const kfAccount = str(record(fields.TransInfo).KfAccount);
      return kfAccount ? { kind: "transfer", kfAccount } : { kind: "transfer" };
    }
    default:
      return { kind: "other", msgType };
  }
}

function str(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): Record<string, unknown>[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.map(record);
}
