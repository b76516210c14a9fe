/**
 * Goes to the login page with a full page load. Used whenever a session ends (logout, logged out
 * elsewhere, deleted, expired): the reload drops every store, socket and timer of the previous agent, so
 * the next one to sign in on this browser starts clean.
 */
export function leaveToLogin(redirect?: string): void {
  const query = redirect && redirect !== "/" && !redirect.startsWith("/login") ? `?redirect=${encodeURIComponent(redirect)}` : "";
  window.history.replaceState(null, "", `${import.meta.env.BASE_URL}#/login${query}`);
  window.location.reload();
}
