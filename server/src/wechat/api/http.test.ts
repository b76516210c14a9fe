import { WechatApiError, isTransient } from "./errors";
import { parseWechatJson, quoteLongIntegers } from "./http";

describe("quoteLongIntegers", () => {
  test("keeps integers of 16+ digits exact as strings", () => {
    const body = parseWechatJson('{"errcode":0,"errmsg":"ok","msgid":1152921504606846977}', "/x");
    expect(body.msgid).toBe("1152921504606846977");
  });

  test("leaves short numbers, decimals, exponents and strings alone", () => {
    const json = '{"a":7200,"b":-1,"c":12345678901234567.5,"d":1e22,"e":"9007199254740993123","f":"say \\"1234567890123456789\\""}';
    expect(quoteLongIntegers(json)).toBe(json);
  });

  test("quotes long integers in arrays, nested objects and negatives", () => {
    expect(quoteLongIntegers('{"l":[4363689963896700987, -4363689963896700987],"o":{"id":12345678901234567}}')).toBe(
      '{"l":["4363689963896700987", "-4363689963896700987"],"o":{"id":"12345678901234567"}}',
    );
  });

  test("a body that is not a JSON object is a permanent bad response", () => {
    expect(() => parseWechatJson("<html></html>", "/x")).toThrow(WechatApiError);
    expect(() => parseWechatJson("[1]", "/x")).toThrow(expect.objectContaining({ errcode: -4, retryable: false }));
  });
});

describe("isTransient", () => {
  test.each([-1, -2, -3, -5, 45009, 45011, 40001, 40014, 42001])("%i is worth retrying later", (errcode) => {
    expect(isTransient(errcode)).toBe(true);
  });

  test.each([-4, 40003, 40013, 40016, 40037, 40125, 40164, 43004, 43101, 45015, 45047, 47003, 48001])("%i is permanent", (errcode) => {
    expect(isTransient(errcode)).toBe(false);
  });

  test("the error message names path, errcode and errmsg", () => {
    const error = new WechatApiError({ path: "/cgi-bin/message/custom/send", errcode: 45047, errmsg: "out of response count limit" });
    expect(error.message).toBe("WeChat API /cgi-bin/message/custom/send failed: errcode 45047 out of response count limit");
    expect(error).toMatchObject({ name: "WechatApiError", retryable: false });
  });
});
