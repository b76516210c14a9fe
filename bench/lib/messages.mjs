// Builds the requests WeChat would send: one distinct text message per call, signed like the real thing.
//   plaintext: POST /wechat?signature=sha1(sort(token,timestamp,nonce))&timestamp&nonce&openid, body = message XML
//   safe:      + &encrypt_type=aes&msg_signature=sha1(sort(token,timestamp,nonce,Encrypt)),
//              body = <xml><ToUserName/><Encrypt/></xml>, Encrypt made by node-webot's wechat-crypto
//              (an implementation independent of the server's own cipher).
import { createHash, randomBytes } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const WXBizMsgCrypt = require("wechat-crypto");
const account = require("./account.cjs");

const CONTENTS = ["查询本月水费", "我家停水了，什么时候恢复？", "户号 20231234 的账单", "怎么办理过户", "水表读数不对", "hello"];

function sha1Sorted(...parts) {
  return createHash("sha1").update(parts.sort().join("")).digest("hex");
}

/** A pool of openids (28 characters like real ones), so messages spread over `count` fans. */
export function fanPool(count = 1000) {
  return Array.from({ length: count }, (_, i) => `obench_${String(i).padStart(6, "0")}_${"x".repeat(15)}`);
}

/**
 * @param {{ mode: "plaintext" | "safe", fans?: string[] }} options
 * @returns {{ next(): { msgId: string, content: string, fan: string, path: string, body: Buffer }, readonly count: number,
 *   range(): { first: bigint, last: bigint } }} range = the MsgIds generated so far
 */
export function createMessageGenerator({ mode, fans = fanPool() }) {
  const crypter = mode === "safe" ? new WXBizMsgCrypt(account.TOKEN, account.AES_KEY, account.APPID) : null;
  // MsgIds above 2^53 (WeChat's are 64-bit), distinct for every message this process generates.
  const base = 9007199254740993n + BigInt(Date.now()) * 1000n;
  let count = 0;
  const nonces = randomBytes(4).readUInt32BE();
  return {
    get count() {
      return count;
    },
    range() {
      return { first: base + 1n, last: base + BigInt(count) };
    },
    next() {
      count++;
      const msgId = (base + BigInt(count)).toString();
      const fan = fans[count % fans.length];
      const content = `${CONTENTS[count % CONTENTS.length]} #${count}`;
      const now = Math.floor(Date.now() / 1000);
      const timestamp = String(now);
      const nonce = String((nonces + count * 2654435761) >>> 0);
      const xml =
        `<xml><ToUserName><![CDATA[${account.TO_USER}]]></ToUserName><FromUserName><![CDATA[${fan}]]></FromUserName>` +
        `<CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content>` +
        `<MsgId>${msgId}</MsgId></xml>`;
      let path = `/wechat?signature=${sha1Sorted(account.TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}&openid=${fan}`;
      let body = xml;
      if (crypter) {
        const encrypted = crypter.encrypt(xml);
        path += `&encrypt_type=aes&msg_signature=${crypter.getSignature(timestamp, nonce, encrypted)}`;
        body = `<xml><ToUserName><![CDATA[${account.TO_USER}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
      }
      return { msgId, content, fan, path, body: Buffer.from(body, "utf8") };
    },
  };
}
