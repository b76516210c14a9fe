import { sha1Signature, signatureMatches } from "./signature";
import { V3, V4, V5, V6 } from "./vectors.fixture";

describe("sha1Signature", () => {
  it("reproduces the official URL-verification signature (V1)", () => {
    expect(sha1Signature("AAAAA", "1714036504", "1514711492")).toBe("f464b24fc39322e44b38aa78f5edd27bd1441696");
  });

  it("reproduces the official plaintext POST signature (V2)", () => {
    expect(sha1Signature("AAAAA", "1714037059", "486452656")).toBe("899cf89e464efb63f54ddac96b0a0a235f53aa78");
  });

  it("reproduces wechatpy's plain signature (V7)", () => {
    expect(sha1Signature("test", "1410685589", "test")).toBe("f21891de399b4e33a1a93c9a7b8a8fffb5a443ff");
  });

  it("reproduces wechat-crypto's getSignature (V8)", () => {
    expect(sha1Signature("RMNlACHlV5ThzfRlVS4D4", "timestamp", "nonce", "encrypt")).toBe(
      "8edac0945683c119ee71c9f6256d76c48aa08a96",
    );
  });

  it("gives the plain signature that still accompanies a safe-mode request (V3)", () => {
    expect(sha1Signature(V3.token, V3.timestamp, V3.nonce)).toBe(V3.signature);
  });

  it("reproduces the official safe-mode msg_signature over the Encrypt value (V3)", () => {
    expect(sha1Signature(V3.token, V3.timestamp, V3.nonce, V3.encrypt)).toBe(V3.msgSignature);
  });

  it("reproduces the official encrypted reply's MsgSignature (V3 reply)", () => {
    const { reply } = V3;
    expect(sha1Signature(V3.token, reply.timestamp, reply.nonce, reply.encrypt)).toBe(reply.msgSignature);
  });

  it("reproduces the msg_signature derived from the WXBizMsgCrypt sample (V4)", () => {
    expect(sha1Signature(V4.token, V4.timestamp, V4.nonce, V4.encrypt)).toBe(V4.msgSignature);
  });

  it("reproduces EasyWeChat's msg_signature (V5)", () => {
    expect(sha1Signature(V5.token, V5.timestamp, V5.nonce, V5.encrypt)).toBe(V5.msgSignature);
  });

  it("reproduces wechatpy's msg_signatures for decryption and encryption (V6)", () => {
    expect(sha1Signature(V6.token, V6.timestamp, V6.nonce, V6.decrypt.encrypt)).toBe(V6.decrypt.msgSignature);
    expect(sha1Signature(V6.token, V6.timestamp, V6.nonce, V6.encrypt.encrypt)).toBe(V6.encrypt.msgSignature);
  });

  it("does not depend on the order the parts are given in", () => {
    expect(sha1Signature("1514711492", "AAAAA", "1714036504")).toBe(sha1Signature("AAAAA", "1714036504", "1514711492"));
  });

  it("does not reorder the caller's array", () => {
    const parts = ["b", "a"];
    sha1Signature(...parts);
    expect(parts).toEqual(["b", "a"]);
  });
});

describe("signatureMatches", () => {
  const parts = ["AAAAA", "1714036504", "1514711492"];

  it("accepts the right signature", () => {
    expect(signatureMatches("f464b24fc39322e44b38aa78f5edd27bd1441696", ...parts)).toBe(true);
  });

  it("refuses a signature that differs in one character", () => {
    expect(signatureMatches("f464b24fc39322e44b38aa78f5edd27bd1441697", ...parts)).toBe(false);
  });

  it("refuses a signature of another length without throwing", () => {
    expect(signatureMatches("f464b24f", ...parts)).toBe(false);
    expect(signatureMatches("f464b24fc39322e44b38aa78f5edd27bd1441696ff", ...parts)).toBe(false);
  });

  it("refuses a missing or empty signature", () => {
    expect(signatureMatches(undefined, ...parts)).toBe(false);
    expect(signatureMatches("", ...parts)).toBe(false);
  });

  it("refuses a signature made with another token", () => {
    expect(signatureMatches(sha1Signature("BBBBB", "1714036504", "1514711492"), ...parts)).toBe(false);
  });
});
