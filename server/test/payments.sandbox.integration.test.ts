import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/infra/logger";
import { DEMO_WATER_ACCOUNTS } from "../src/modules/water/demoWater";
import { startServer, type RunningServer } from "../src/server";
import { api, eventually } from "./conversationsHelpers";
import { bindDemo, newPhone, verifiedFan } from "./waterHelpers";

/**
 * The demo on the embedded default (SQLite, in-memory KV, the sandbox standing in for WeChat Pay), the way
 * the H5 pages drive it: quote → order → the confirm sheet's /sandbox/pay/confirm → poll → the bill is paid.
 */
describe("payments: the sandbox demo on the embedded default (SQLite)", () => {
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "shuiwu-pay-"));
    const config = loadConfig({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "demo.sqlite")}`, LOG_LEVEL: "silent" });
    server = await startServer(config, { logger: createLogger(process.env.TEST_LOG_LEVEL ?? "silent"), host: "127.0.0.1" });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("pays a demo fan's bill through the confirm sheet, and the bill shows paid", async () => {
    const account = DEMO_WATER_ACCOUNTS[3];
    const cookie = await verifiedFan(server, "oDemoPayFan0000000000000001", newPhone());
    const accountId = (await bindDemo(server, cookie, account.customerNumber, account.ownerName)).body.account.id;
    const bills = (await api(server, "GET", `/api/fan/accounts/${accountId}/bills?months=3`, { cookie })).body.bills;
    const month = bills[0].month;

    const quote = await api(server, "GET", `/api/fan/payments/bills/${accountId}/${month}`, { cookie });
    expect(quote.status).toBe(200);
    const created = await api(server, "POST", "/api/fan/payments/orders", { cookie, body: { purpose: "bill", accountId, month } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ sandbox: true, order: { amountFen: quote.body.amountFen, status: "pending" } });

    const confirmed = await fetch(`${server.url}/sandbox/pay/confirm`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ outTradeNo: created.body.order.outTradeNo }) });
    expect(confirmed.status).toBe(200);
    const paid = await eventually(async () => {
      const status = await api(server, "GET", `/api/fan/payments/orders/${created.body.order.id}`, { cookie });
      return status.body.order.credited ? status.body.order : undefined;
    });
    expect(paid).toMatchObject({ status: "paid", credited: true, billMonths: quote.body.months });
    const after = (await api(server, "GET", `/api/fan/accounts/${accountId}/bills?months=3`, { cookie })).body.bills;
    for (const bill of after.filter((b: { month: string }) => quote.body.months.includes(b.month))) expect(bill.status).toBe("paid");

    // The demo admin sees it.
    const login = await fetch(`${server.url}/api/console/login/password`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jobNumber: "admin", password: "admin123" }) });
    const adminCookie = /shuiwu_session=[^;]+/.exec(login.headers.get("set-cookie") ?? "")?.[0];
    expect(adminCookie).toBeDefined();
    const list = await api(server, "GET", `/api/console/payments/orders?outTradeNo=${created.body.order.outTradeNo}`, { cookie: adminCookie });
    expect(list.body.orders[0]).toMatchObject({ status: "paid", credited: true });
  });
});
