/**
 * A base URL of a service the utility runs (billing system, SMS platform), as configured:
 * `https://user:pass@host/path`. The credentials become a Basic Authorization header and leave the URL,
 * so they are never logged with it.
 */
export function parseServiceUrl(configured: string): { base: string; authorization: string | null } {
  const url = new URL(configured);
  const authorization = url.username ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}` : null;
  url.username = "";
  url.password = "";
  return { base: url.toString().replace(/\/+$/, ""), authorization };
}
