import http from "node:http";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import Router from "@koa/router";
import { ManualClock } from "../infra/clock";
import { createFakeWechat, startFakeWechat } from "./fakeWechat";

/**
 * The fake's own contract, spoken to over plain HTTP the way WeChat is documented (the client's tests
 * cover the rest through WechatApiClient).
 */

const APP_ID = "wxtest0000000001";
const APP_SECRET = "test-secret-0123456789abcdef";
const FAN = "oFan000000000000000000000001";

type Fake = Awaited<ReturnType<typeof startFakeWechat>>;
let fake: Fake;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock(new Date());
  fake = await startFakeWechat({ appId: APP_ID, appSecret: APP_SECRET, clock });
  fake.state.upsertFan({ openId: FAN, nickname: "fan", subscribed: true });
});

afterEach(() => fake.close());

async function getJson(path: string): Promise<Record<string, unknown>> {
  return (await fetch(`${fake.url}${path}`)).json() as Promise<Record<string, unknown>>;
}

async function postJson(path: string, body: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${fake.url}${path}`, { method: "POST", body, headers: { "content-type": "application/json" } });
  return response.json() as Promise<Record<string, unknown>>;
}

async function token(): Promise<string> {
  const body = await getJson(`/cgi-bin/token?grant_type=client_credential&appid=${APP_ID}&secret=${APP_SECRET}`);
  return body.access_token as string;
}

const text = (content: string) => JSON.stringify({ touser: FAN, msgtype: "text", text: { content } });

describe("access tokens", () => {
  test("checks appid and secret", async () => {
    expect(await getJson(`/cgi-bin/token?grant_type=client_credential&appid=wxother&secret=${APP_SECRET}`)).toMatchObject({ errcode: 40013 });
    expect(await getJson(`/cgi-bin/token?grant_type=client_credential&appid=${APP_ID}&secret=nope`)).toMatchObject({ errcode: 40125 });
    expect(await getJson(`/cgi-bin/token?appid=${APP_ID}&secret=${APP_SECRET}`)).toMatchObject({ errcode: 40002 });
    expect(fake.state.tokenRequests).toBe(3);
  });

  test("issues tokens valid for 7200 s; a new one revokes the previous", async () => {
    const body = await getJson(`/cgi-bin/token?grant_type=client_credential&appid=${APP_ID}&secret=${APP_SECRET}`);
    expect(body).toMatchObject({ expires_in: 7200 });
    const first = body.access_token as string;
    expect(await postJson(`/cgi-bin/message/custom/send?access_token=${first}`, text("a"))).toMatchObject({ errcode: 0 });
    const second = await token();
    expect(await postJson(`/cgi-bin/message/custom/send?access_token=${first}`, text("b"))).toMatchObject({ errcode: 40001 });
    expect(await postJson(`/cgi-bin/message/custom/send?access_token=${second}`, text("c"))).toMatchObject({ errcode: 0 });
  });

  test("a missing token is 41001, an expired one 42001", async () => {
    expect(await postJson("/cgi-bin/message/custom/send", text("a"))).toMatchObject({ errcode: 41001 });
    const current = await token();
    clock.advance(7200_000);
    expect(await postJson(`/cgi-bin/message/custom/send?access_token=${current}`, text("a"))).toMatchObject({ errcode: 42001 });
    const fresh = await token();
    fake.state.expireAllTokens();
    expect(await postJson(`/cgi-bin/message/custom/send?access_token=${fresh}`, text("a"))).toMatchObject({ errcode: 42001 });
  });
});

describe("request checks", () => {
  test("rejects \\uXXXX escapes of non-ASCII text with 40033, as WeChat does", async () => {
    const escaped = `{"touser":"${FAN}","msgtype":"text","text":{"content":"\\u4f60\\u597d"}}`;
    expect(await postJson(`/cgi-bin/message/custom/send?access_token=${await token()}`, escaped)).toMatchObject({ errcode: 40033 });
    expect(fake.state.sent).toHaveLength(0);
  });

  test("news with more than one article is 45008", async () => {
    const news = JSON.stringify({ touser: FAN, msgtype: "news", news: { articles: [{ title: "a" }, { title: "b" }] } });
    expect(await postJson(`/cgi-bin/message/custom/send?access_token=${await token()}`, news)).toMatchObject({ errcode: 45008 });
  });

  test("errmsg carries a request id like WeChat's", async () => {
    const body = await postJson("/cgi-bin/message/custom/send", text("a"));
    expect(body.errmsg).toMatch(/^access_token missing rid: [0-9a-f]+$/);
  });
});

describe("fault injection", () => {
  test("failNext fails the given number of requests to that path, then serves normally", async () => {
    const access = await token();
    fake.state.failNext("/cgi-bin/message/custom/send", { errcode: 45015, times: 2 });
    const send = () => postJson(`/cgi-bin/message/custom/send?access_token=${access}`, text("x"));
    expect(await send()).toMatchObject({ errcode: 45015, errmsg: "response out of time limit or subscription is canceled" });
    expect(await send()).toMatchObject({ errcode: 45015 });
    expect(await send()).toMatchObject({ errcode: 0 });
    expect(fake.state.sent).toHaveLength(1);
    expect(fake.state.requestCounts.get("/cgi-bin/message/custom/send")).toBe(3);
  });

  test("an HTTP status fault answers with that status", async () => {
    fake.state.failNext("/cgi-bin/token", { httpStatus: 503 });
    expect((await fetch(`${fake.url}/cgi-bin/token`)).status).toBe(503);
  });

  test("a delay alone slows the request down but serves it", async () => {
    fake.state.failNext("/cgi-bin/token", { delayMs: 120 });
    const started = Date.now();
    expect(await token()).toEqual(expect.any(String));
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});

describe("records", () => {
  test("reset forgets fans, messages and tokens but keeps the account", async () => {
    const access = await token();
    await postJson(`/cgi-bin/message/custom/send?access_token=${access}`, text("x"));
    fake.state.reset();
    expect(fake.state.sent).toHaveLength(0);
    expect(fake.state.fans.size).toBe(0);
    expect(fake.state.tokenRequests).toBe(0);
    expect(fake.state.checkToken(access)).toBe(40001);
    expect(await token()).toEqual(expect.any(String));
  });

  test("upsertFan merges and stamps the follow time", async () => {
    const fan = fake.state.upsertFan({ openId: "oNew", nickname: "新粉丝" });
    expect(fan).toMatchObject({ subscribed: true, subscribeTime: Math.floor(clock.now().getTime() / 1000) });
    expect(fake.state.upsertFan({ openId: "oNew", subscribed: false })).toMatchObject({ nickname: "新粉丝", subscribed: false });
  });
});

test("mounted under a prefix, as sandbox mode does, routes and fault paths stay relative", async () => {
  const mounted = createFakeWechat({ appId: APP_ID, appSecret: APP_SECRET });
  const api = new Router({ prefix: "/sandbox/wechat-api" });
  api.use(mounted.router.routes(), mounted.router.allowedMethods());
  const app = new Koa();
  app.use(api.routes());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox/wechat-api`;
    mounted.state.failNext("/cgi-bin/token", { errcode: -1 });
    const query = `grant_type=client_credential&appid=${APP_ID}&secret=${APP_SECRET}`;
    expect(await (await fetch(`${base}/cgi-bin/token?${query}`)).json()).toMatchObject({ errcode: -1 });
    expect(await (await fetch(`${base}/cgi-bin/token?${query}`)).json()).toMatchObject({ expires_in: 7200 });
    expect(mounted.state.tokenRequests).toBe(2);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
