import { parseServiceUrl } from "../../infra/serviceUrl";
import type { SmsMessage, SmsProvider } from "./sms";

/**
 * The utility's SMS platform over HTTP (SMS_API_BASE; contract in docs/api/sms-gateway.md):
 * `POST {base}/messages` with `{ phone, template, params, text }`, any 2xx = accepted. A refusal, an
 * outage or a timeout throws: the fan is told the code could not be sent and may ask again at once
 * (the attempt does not count against the limits).
 */
export class HttpSmsProvider implements SmsProvider {
  readonly name = "http";
  private readonly base: string;
  private readonly authorization: string | null;

  constructor(
    baseUrl: string,
    private readonly options: { timeoutMs?: number; fetchImpl?: typeof fetch } = {},
  ) {
    ({ base: this.base, authorization: this.authorization } = parseServiceUrl(baseUrl));
  }

  async send(message: SmsMessage): Promise<void> {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.authorization) headers.authorization = this.authorization;
    const response = await (this.options.fetchImpl ?? fetch)(`${this.base}/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ phone: message.phone, template: message.template, params: message.params, text: message.text }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    // The body is not needed; reading it frees the connection.
    const body = await response.text().catch(() => "");
    if (!response.ok) throw new Error(`SMS platform answered HTTP ${response.status}: ${body.slice(0, 200)}`);
  }
}
