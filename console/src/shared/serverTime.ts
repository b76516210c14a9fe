/**
 * Server timestamps on the browser's clock. Views carry `asOf` (the server's now when it computed
 * them); the difference to our own now is the skew, so countdowns stay right on a machine whose clock
 * is off by minutes.
 */
export function skewOf(asOf: string | null | undefined, receivedAt = Date.now()): number {
  if (!asOf) return 0;
  const server = Date.parse(asOf);
  return Number.isFinite(server) ? receivedAt - server : 0;
}

export function toLocalMs(iso: string | null | undefined, skewMs: number): number | null {
  if (!iso) return null;
  const at = Date.parse(iso);
  return Number.isFinite(at) ? at + skewMs : null;
}
