import type { RunningServer } from "../src/server";
import { api } from "./support/api";
import { minutePassed, smsCodeFor } from "./waterHelpers";

/** Builders for the applications and complaints tests: fan uploads, fresh SMS codes, a valid application. */

/** The smallest valid PNG (1×1, transparent). */
export const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
/** An AMR-NB header and a few silent frames. */
export const AMR = Buffer.concat([Buffer.from("#!AMR\n", "latin1"), Buffer.alloc(64, 0x7c)]);

export async function upload(server: RunningServer, cookie: string, data: Buffer, options: { kind?: "image" | "voice"; contentType?: string } = {}) {
  const response = await fetch(`${server.url}/api/fan/uploads${options.kind ? `?kind=${options.kind}` : ""}`, {
    method: "POST",
    headers: { cookie, "content-type": options.contentType ?? "application/octet-stream" },
    body: data,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export async function uploadId(server: RunningServer, cookie: string, data: Buffer = PNG, kind: "image" | "voice" = "image"): Promise<string> {
  const response = await upload(server, cookie, data, { kind });
  if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.upload.id;
}

/** A fresh SMS code for the fan and phone (the one-minute gap lifted first). */
export async function freshCode(server: RunningServer, cookie: string, openid: string, phone: string): Promise<string> {
  await minutePassed(server, phone, openid);
  const sent = await api(server, "POST", "/api/fan/sms-code", { cookie, body: { phone } });
  if (sent.status !== 200) throw new Error(`sms-code answered ${sent.status}: ${JSON.stringify(sent.body)}`);
  return smsCodeFor(server, phone);
}

/** GB 11643's example ID number (valid check character). */
export const VALID_ID = "11010519491231002X";

export async function applicationInput(server: RunningServer, cookie: string, openid: string, phone: string, overrides: Record<string, unknown> = {}) {
  return {
    type: "account_change",
    ownerName: "张建国",
    customerNumber: "310100001",
    idNumber: VALID_ID,
    idFrontUploadId: await uploadId(server, cookie),
    idBackUploadId: await uploadId(server, cookie),
    area: "城东片区",
    address: "滨江路 88 号",
    detailAddress: "3 栋 2 单元 501",
    phone,
    smsCode: await freshCode(server, cookie, openid, phone),
    remark: "过户给子女",
    ...overrides,
  };
}
