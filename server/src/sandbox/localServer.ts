import http from "node:http";
import type { AddressInfo } from "node:net";
import type Router from "@koa/router";
import Koa from "koa";

export interface LocalServer {
  /** http://127.0.0.1:<port>, known before anything is served (a fake may need its own address). */
  url: string;
  /** Serves the router's routes (Koa, silent: a fake's errors are answers, not log lines). */
  serve(router: Router): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with an ephemeral port, for the fakes that tests run as separate hosts. */
export async function startLocalServer(): Promise<LocalServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve(router) {
      const app = new Koa();
      app.silent = true;
      app.use(router.routes()).use(router.allowedMethods());
      server.on("request", app.callback());
    },
    close: async () => {
      // fetch keeps connections alive; without this close() would wait for them to idle out.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
