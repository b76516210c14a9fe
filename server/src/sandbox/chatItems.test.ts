import { buildPassiveReply, parseXml } from "../wechat/callback/xml";
import { itemFromCustomMessage, itemFromPassiveReply } from "./chatItems";

/** Passive replies are parsed from the XML our own router builds, so both ends stay in step. */
async function passive(reply: Parameters<typeof buildPassiveReply>[0]) {
  return itemFromPassiveReply(await parseXml(buildPassiveReply(reply, "oFan", "gh_sandbox0001", 1_800_000_000)));
}

describe("chat items", () => {
  test("passive replies of every type the product gives", async () => {
    expect(await passive({ type: "text", content: "欢迎" })).toEqual({ kind: "text", content: "欢迎" });
    expect(await passive({ type: "image", mediaId: "m1" })).toEqual({ kind: "image", mediaId: "m1", url: "/sandbox/wechat-api/fake-media/m1" });
    expect(await passive({ type: "transfer_customer_service" })).toEqual({ kind: "transfer" });
    expect(await passive({ type: "transfer_customer_service", kfAccount: "wang@gh" })).toEqual({ kind: "transfer", kfAccount: "wang@gh" });
    const article = { title: "停水通知", description: "明日 9:00–17:00", url: "https://h5/notice/1", picUrl: "https://h5/p.png" };
    expect(await passive({ type: "news", articles: [article] })).toEqual({ kind: "news", articles: [article] });
    expect(await passive({ type: "news", articles: [article, { ...article, title: "第二条" }] })).toEqual({
      kind: "news",
      articles: [article, { ...article, title: "第二条" }],
    });
  });

  test("customer-service messages as WeChat received them", () => {
    expect(itemFromCustomMessage("news", { news: { articles: [{ title: "账单", url: "https://h5/bill", picurl: "" }] } })).toEqual({
      kind: "news",
      articles: [{ title: "账单", description: "", url: "https://h5/bill", picUrl: "" }],
    });
    expect(
      itemFromCustomMessage("msgmenu", { msgmenu: { head_content: "请评价", list: [{ id: "101", content: "满意" }], tail_content: "谢谢" } }),
    ).toEqual({ kind: "msgmenu", head: "请评价", options: [{ id: "101", content: "满意" }], tail: "谢谢" });
    expect(itemFromCustomMessage("wxcard", { wxcard: { card_id: "c" } })).toEqual({ kind: "other", msgType: "wxcard" });
  });
});
