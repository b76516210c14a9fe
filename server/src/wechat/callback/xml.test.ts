import { WechatCipher } from "./crypto";
import { CallbackError } from "./errors";
import type { InboundMessage } from "./messages";
import { V4 } from "./vectors.fixture";
import { buildEncryptedReply, buildPassiveReply, parseXml, toInboundMessage } from "./xml";

interface ReferenceCrypt {
  decrypt(text: string): { message: string; id: string };
  getSignature(timestamp: string, nonce: string, encrypt: string): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WXBizMsgCrypt: new (token: string, encodingAesKey: string, appId: string) => ReferenceCrypt = require("wechat-crypto");

const ACCOUNT = "gh_97417a04a28d";
const FAN = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY";
const CREATED = 1714112445;

/** A callback as WeChat formats it (official sample layout: one element per line, CDATA for strings). */
function callbackXml(msgType: string, elements: string): string {
  return [
    "<xml>",
    `  <ToUserName><![CDATA[${ACCOUNT}]]></ToUserName>`,
    `  <FromUserName><![CDATA[${FAN}]]></FromUserName>`,
    `  <CreateTime>${CREATED}</CreateTime>`,
    `  <MsgType><![CDATA[${msgType}]]></MsgType>`,
    elements,
    "</xml>",
  ].join("\n");
}

function eventXml(event: string, elements = ""): string {
  return callbackXml("event", `  <Event><![CDATA[${event}]]></Event>\n${elements}`);
}

async function typed(xml: string): Promise<InboundMessage> {
  return toInboundMessage(await parseXml(xml), xml);
}

async function rejectionOf(action: () => Promise<unknown>): Promise<CallbackError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CallbackError) return error;
    throw error;
  }
  throw new Error("expected a CallbackError");
}

const common = { toUserName: ACCOUNT, fromUserName: FAN, createTime: CREATED };

describe("toInboundMessage: messages", () => {
  it("types a text message, keeping a MsgId above 2^53 as the exact string", async () => {
    const xml = callbackXml(
      "text",
      "  <Content><![CDATA[我家水表漏水了]]></Content>\n  <MsgId>4363689963896700987</MsgId>\n  <MsgDataId>2247483654</MsgDataId>\n  <Idx>1</Idx>",
    );
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "text",
      msgId: "4363689963896700987",
      content: "我家水表漏水了",
      dedupeKey: "msg:4363689963896700987",
      rawXml: xml,
    });
  });

  it("carries bizmsgmenuid of a menu-message click", async () => {
    const xml = callbackXml("text", "  <Content><![CDATA[满意]]></Content>\n  <MsgId>101</MsgId>\n  <bizmsgmenuid>2</bizmsgmenuid>");
    expect(await typed(xml)).toMatchObject({ kind: "text", content: "满意", bizMsgMenuId: "2" });
  });

  it("types an image message", async () => {
    const xml = callbackXml(
      "image",
      "  <PicUrl><![CDATA[http://mmbiz.qpic.cn/abc]]></PicUrl>\n  <MediaId><![CDATA[media_id_1]]></MediaId>\n  <MsgId>102</MsgId>",
    );
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "image",
      msgId: "102",
      picUrl: "http://mmbiz.qpic.cn/abc",
      mediaId: "media_id_1",
      dedupeKey: "msg:102",
      rawXml: xml,
    });
  });

  it("types a voice message with its recognition text", async () => {
    const xml = callbackXml(
      "voice",
      "  <MediaId><![CDATA[media_id_2]]></MediaId>\n  <Format><![CDATA[amr]]></Format>\n  <Recognition><![CDATA[停水了]]></Recognition>\n  <MsgId>103</MsgId>",
    );
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "voice",
      msgId: "103",
      mediaId: "media_id_2",
      format: "amr",
      recognition: "停水了",
      dedupeKey: "msg:103",
      rawXml: xml,
    });
  });

  it("leaves recognition out when voice recognition is off", async () => {
    const xml = callbackXml("voice", "  <MediaId><![CDATA[m]]></MediaId>\n  <Format><![CDATA[speex]]></Format>\n  <MsgId>104</MsgId>");
    const message = await typed(xml);
    expect(message).toMatchObject({ kind: "voice", format: "speex" });
    expect(message).not.toHaveProperty("recognition");
  });

  it.each(["video", "shortvideo"] as const)("types a %s message", async (msgType) => {
    const xml = callbackXml(
      msgType,
      "  <MediaId><![CDATA[media_id_3]]></MediaId>\n  <ThumbMediaId><![CDATA[thumb_1]]></ThumbMediaId>\n  <MsgId>105</MsgId>",
    );
    expect(await typed(xml)).toEqual({
      ...common,
      kind: msgType,
      msgId: "105",
      mediaId: "media_id_3",
      thumbMediaId: "thumb_1",
      dedupeKey: "msg:105",
      rawXml: xml,
    });
  });

  it("types a location message with numeric coordinates", async () => {
    const xml = callbackXml(
      "location",
      "  <Location_X>23.134521</Location_X>\n  <Location_Y>113.358803</Location_Y>\n  <Scale>20</Scale>\n  <Label><![CDATA[广州市天河区]]></Label>\n  <MsgId>106</MsgId>",
    );
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "location",
      msgId: "106",
      latitude: 23.134521,
      longitude: 113.358803,
      scale: 20,
      label: "广州市天河区",
      dedupeKey: "msg:106",
      rawXml: xml,
    });
  });

  it("types a link message", async () => {
    const xml = callbackXml(
      "link",
      "  <Title><![CDATA[停水通知]]></Title>\n  <Description><![CDATA[明日停水]]></Description>\n  <Url><![CDATA[https://example.com/n/1]]></Url>\n  <MsgId>107</MsgId>",
    );
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "link",
      msgId: "107",
      title: "停水通知",
      description: "明日停水",
      url: "https://example.com/n/1",
      dedupeKey: "msg:107",
      rawXml: xml,
    });
  });

  it("types an unknown message type with its string fields and a msg: key", async () => {
    const xml = callbackXml("file", "  <Title><![CDATA[bill.pdf]]></Title>\n  <FileKey><![CDATA[k1]]></FileKey>\n  <MsgId>108</MsgId>");
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "unknown",
      msgType: "file",
      dedupeKey: "msg:108",
      rawXml: xml,
      fields: {
        ToUserName: ACCOUNT,
        FromUserName: FAN,
        CreateTime: String(CREATED),
        MsgType: "file",
        Title: "bill.pdf",
        FileKey: "k1",
        MsgId: "108",
      },
    });
  });

  it("delivers a known type lacking a field its type needs as unknown rather than refusing it", async () => {
    const xml = callbackXml("image", "  <MediaId><![CDATA[m]]></MediaId>\n  <MsgId>109</MsgId>");
    expect(await typed(xml)).toMatchObject({ kind: "unknown", msgType: "image", dedupeKey: "msg:109" });
  });

  it("keys a message without MsgId by sender, time and type", async () => {
    const xml = callbackXml("text", "  <Content><![CDATA[hi]]></Content>");
    expect(await typed(xml)).toMatchObject({ kind: "unknown", dedupeKey: `evt:${FAN}:${CREATED}:text` });
  });
});

describe("toInboundMessage: events", () => {
  it("types a plain follow without a scene", async () => {
    const xml = eventXml("subscribe", "  <EventKey><![CDATA[]]></EventKey>");
    expect(await typed(xml)).toEqual({ ...common, kind: "subscribe", dedupeKey: `evt:${FAN}:${CREATED}:subscribe`, rawXml: xml });
  });

  it("strips qrscene_ from a follow through a parametric QR code", async () => {
    const xml = eventXml("subscribe", "  <EventKey><![CDATA[qrscene_meter_0042]]></EventKey>\n  <Ticket><![CDATA[TICKET1]]></Ticket>");
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "subscribe",
      sceneKey: "meter_0042",
      ticket: "TICKET1",
      dedupeKey: `evt:${FAN}:${CREATED}:subscribe`,
      rawXml: xml,
    });
  });

  it("types an unfollow", async () => {
    const xml = eventXml("unsubscribe", "  <EventKey><![CDATA[]]></EventKey>");
    expect(await typed(xml)).toEqual({ ...common, kind: "unsubscribe", dedupeKey: `evt:${FAN}:${CREATED}:unsubscribe`, rawXml: xml });
  });

  it("types a follower's scan, whose EventKey has no prefix to strip", async () => {
    const xml = eventXml("SCAN", "  <EventKey><![CDATA[meter_0042]]></EventKey>\n  <Ticket><![CDATA[TICKET2]]></Ticket>");
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "scan",
      sceneKey: "meter_0042",
      ticket: "TICKET2",
      dedupeKey: `evt:${FAN}:${CREATED}:SCAN`,
      rawXml: xml,
    });
  });

  it("matches event names regardless of case", async () => {
    expect(await typed(eventXml("scan", "  <EventKey><![CDATA[7]]></EventKey>"))).toMatchObject({ kind: "scan", sceneKey: "7" });
  });

  it("types a location report", async () => {
    const xml = eventXml("LOCATION", "  <Latitude>23.137466</Latitude>\n  <Longitude>113.352425</Longitude>\n  <Precision>119.385040</Precision>");
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "location_report",
      latitude: 23.137466,
      longitude: 113.352425,
      precision: 119.38504,
      dedupeKey: `evt:${FAN}:${CREATED}:LOCATION`,
      rawXml: xml,
    });
  });

  it("types a menu click", async () => {
    const xml = eventXml("CLICK", "  <EventKey><![CDATA[BILL_QUERY]]></EventKey>");
    expect(await typed(xml)).toEqual({ ...common, kind: "click", eventKey: "BILL_QUERY", dedupeKey: `evt:${FAN}:${CREATED}:CLICK`, rawXml: xml });
  });

  it("types a menu link with its menu id", async () => {
    const xml = eventXml("VIEW", "  <EventKey><![CDATA[https://example.com/h5/bill]]></EventKey>\n  <MenuId>208396938</MenuId>");
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "view",
      url: "https://example.com/h5/bill",
      menuId: "208396938",
      dedupeKey: `evt:${FAN}:${CREATED}:VIEW`,
      rawXml: xml,
    });
  });

  it("types a template delivery report, reading MsgID with a capital D as an exact string", async () => {
    const xml = eventXml("TEMPLATESENDJOBFINISH", "  <MsgID>2879483963524153345</MsgID>\n  <Status><![CDATA[failed: system failed]]></Status>");
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "template_send_job_finish",
      msgId: "2879483963524153345",
      status: "failed: system failed",
      dedupeKey: `evt:${FAN}:${CREATED}:TEMPLATESENDJOBFINISH`,
      rawXml: xml,
    });
  });

  it("types an unknown event with its string fields and an evt: key", async () => {
    const xml = eventXml("kf_create_session", "  <KfAccount><![CDATA[test1@test]]></KfAccount>");
    expect(await typed(xml)).toEqual({
      ...common,
      kind: "unknown",
      msgType: "event",
      event: "kf_create_session",
      dedupeKey: `evt:${FAN}:${CREATED}:kf_create_session`,
      rawXml: xml,
      fields: {
        ToUserName: ACCOUNT,
        FromUserName: FAN,
        CreateTime: String(CREATED),
        MsgType: "event",
        Event: "kf_create_session",
        KfAccount: "test1@test",
      },
    });
  });

  it("keeps only the string fields of an unknown event with nested elements", async () => {
    const xml = eventXml(
      "scancode_waitmsg",
      "  <EventKey><![CDATA[scan1]]></EventKey>\n  <ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo>",
    );
    const message = await typed(xml);
    expect(message.kind === "unknown" && message.fields).toEqual({
      ToUserName: ACCOUNT,
      FromUserName: FAN,
      CreateTime: String(CREATED),
      MsgType: "event",
      Event: "scancode_waitmsg",
      EventKey: "scan1",
    });
  });

  it("keys an event by sender, time and event even when it arrives as unknown", async () => {
    const xml = eventXml("SCAN");
    expect(await typed(xml)).toMatchObject({ kind: "unknown", dedupeKey: `evt:${FAN}:${CREATED}:SCAN` });
  });
});

describe("toInboundMessage: refusals", () => {
  const complete = { ToUserName: ACCOUNT, FromUserName: FAN, CreateTime: String(CREATED), MsgType: "text", Content: "hi", MsgId: "1" };

  it.each(["ToUserName", "FromUserName", "CreateTime", "MsgType"])("refuses a callback without %s as malformed_xml", async (name) => {
    const fields: Record<string, unknown> = { ...complete };
    delete fields[name];
    expect(await rejectionOf(async () => toInboundMessage(fields, ""))).toMatchObject({ status: 400, reason: "malformed_xml" });
  });

  it("refuses a CreateTime that is not a whole number", async () => {
    expect(await rejectionOf(async () => toInboundMessage({ ...complete, CreateTime: "soon" }, ""))).toMatchObject({
      reason: "malformed_xml",
    });
  });

  it("refuses an empty root", async () => {
    expect(await rejectionOf(async () => toInboundMessage(await parseXml("<xml></xml>"), ""))).toMatchObject({ reason: "malformed_xml" });
  });
});

describe("parseXml", () => {
  it("refuses an XXE payload before parsing it", async () => {
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' +
      "<xml><ToUserName>&xxe;</ToUserName></xml>";
    expect(await rejectionOf(() => parseXml(xxe))).toMatchObject({ status: 400, reason: "doctype_refused" });
  });

  it("refuses entity declarations in any case", async () => {
    expect(await rejectionOf(() => parseXml('<!doctype x><xml/>'))).toMatchObject({ reason: "doctype_refused" });
    expect(await rejectionOf(() => parseXml('<xml><!eNtItY a "b"></xml>'))).toMatchObject({ reason: "doctype_refused" });
  });

  it.each([
    ["an unclosed root", "<xml><MsgType>text</MsgType>"],
    ["plain text", "hello"],
    ["JSON", '{"MsgType":"text"}'],
    ["an empty body", ""],
    ["another root element", "<message><MsgType>text</MsgType></message>"],
    ["an undeclared entity", "<xml><Content>&xxe;</Content></xml>"],
  ])("refuses %s as malformed_xml", async (_, xml) => {
    expect(await rejectionOf(() => parseXml(xml))).toMatchObject({ status: 400, reason: "malformed_xml" });
  });

  it("reads CDATA and plain text and decodes the predefined entities", async () => {
    expect(await parseXml("<xml><A><![CDATA[a<b]]></A><B>1 &amp; 2</B></xml>")).toEqual({ A: "a<b", B: "1 & 2" });
  });
});

describe("buildPassiveReply", () => {
  it("builds WeChat's text reply layout", () => {
    expect(buildPassiveReply({ type: "text", content: "您好" }, FAN, ACCOUNT, 1714112500)).toBe(
      `<xml><ToUserName><![CDATA[${FAN}]]></ToUserName><FromUserName><![CDATA[${ACCOUNT}]]></FromUserName>` +
        "<CreateTime>1714112500</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[您好]]></Content></xml>",
    );
  });

  it("escapes ]]> inside CDATA so the content survives a round trip", async () => {
    const content = "a]]>b ]]>]]> <xml>&amp;";
    const xml = buildPassiveReply({ type: "text", content }, FAN, ACCOUNT, 1);
    expect(await parseXml(xml)).toMatchObject({ Content: content });
  });

  it("drops control characters XML cannot carry", async () => {
    const xml = buildPassiveReply({ type: "text", content: "a\u0000b\u0007c\td\ne" }, FAN, ACCOUNT, 1);
    expect(await parseXml(xml)).toMatchObject({ Content: "abc\td\ne" });
  });

  it("builds an image reply that re-parses to its fields", async () => {
    const xml = buildPassiveReply({ type: "image", mediaId: "MEDIA_1" }, FAN, ACCOUNT, 1714112500);
    expect(await parseXml(xml)).toEqual({
      ToUserName: FAN,
      FromUserName: ACCOUNT,
      CreateTime: "1714112500",
      MsgType: "image",
      Image: { MediaId: "MEDIA_1" },
    });
  });

  it("builds a news reply that re-parses to its articles", async () => {
    const xml = buildPassiveReply(
      {
        type: "news",
        articles: [
          { title: "本月水费", description: "点击查看", picUrl: "https://example.com/p.png", url: "https://example.com/bill" },
          { title: "停水通知" },
        ],
      },
      FAN,
      ACCOUNT,
      1714112500,
    );
    expect(await parseXml(xml)).toEqual({
      ToUserName: FAN,
      FromUserName: ACCOUNT,
      CreateTime: "1714112500",
      MsgType: "news",
      ArticleCount: "2",
      Articles: {
        item: [
          { Title: "本月水费", Description: "点击查看", PicUrl: "https://example.com/p.png", Url: "https://example.com/bill" },
          { Title: "停水通知", Description: "", PicUrl: "", Url: "" },
        ],
      },
    });
  });

  it("refuses a news reply with no articles or more than 8", () => {
    const article = { title: "t" };
    expect(() => buildPassiveReply({ type: "news", articles: [] }, FAN, ACCOUNT, 1)).toThrow(RangeError);
    expect(() => buildPassiveReply({ type: "news", articles: Array(9).fill(article) }, FAN, ACCOUNT, 1)).toThrow(RangeError);
    expect(() => buildPassiveReply({ type: "news", articles: Array(8).fill(article) }, FAN, ACCOUNT, 1)).not.toThrow();
  });

  it("builds a transfer to customer service, pinned to an agent or not", async () => {
    const open = await parseXml(buildPassiveReply({ type: "transfer_customer_service" }, FAN, ACCOUNT, 1));
    expect(open).toEqual({ ToUserName: FAN, FromUserName: ACCOUNT, CreateTime: "1", MsgType: "transfer_customer_service" });
    const pinned = await parseXml(buildPassiveReply({ type: "transfer_customer_service", kfAccount: "kf2001@gh_x" }, FAN, ACCOUNT, 1));
    expect(pinned).toMatchObject({ MsgType: "transfer_customer_service", TransInfo: { KfAccount: "kf2001@gh_x" } });
  });
});

describe("buildEncryptedReply", () => {
  it("wraps the reply so wechat-crypto opens it and its MsgSignature verifies", async () => {
    const cipher = new WechatCipher(V4.appId, [V4.encodingAesKey]);
    const plain = buildPassiveReply({ type: "text", content: "收到" }, FAN, ACCOUNT, 1714112500);
    const sealed = await parseXml(buildEncryptedReply(cipher, V4.token, plain, "1714112500", "nonce123"));

    expect(Object.keys(sealed)).toEqual(["Encrypt", "MsgSignature", "TimeStamp", "Nonce"]);
    expect(sealed).toMatchObject({ TimeStamp: "1714112500", Nonce: "nonce123" });
    const reference = new WXBizMsgCrypt(V4.token, V4.encodingAesKey, V4.appId);
    expect(reference.getSignature("1714112500", "nonce123", sealed.Encrypt as string)).toBe(sealed.MsgSignature);
    expect(reference.decrypt(sealed.Encrypt as string)).toEqual({ message: plain, id: V4.appId });
  });
});
