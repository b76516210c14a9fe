import { computed, onBeforeUnmount, ref } from "vue";
import { authApi, type LoginQr } from "../../api/auth";
import { errorMessage } from "../../api/ApiError";
import type { MeView } from "../../api/types";
import { watchLoginScene } from "../../realtime/loginWatch";

/** Mirrors LOGIN_QR_TTL_MS in server/src/modules/agents/loginQr.ts. */
const LOGIN_QR_TTL_MS = 3 * 60_000;
/** While the socket is up the poll is only a safety net; without it, the poll is how the scan is noticed. */
const POLL_MS = 3_000;
/** An unattended login page stops issuing codes after this many automatic refreshes. */
const MAX_AUTO_REFRESHES = 5;

export type LoginQrState = "loading" | "waiting" | "refused" | "signing-in" | "expired" | "error";

/**
 * The login QR code's life on the page: issue one, watch its scene over the socket (with a status poll
 * as fallback), exchange the one-time code for the session cookie on `login:done`, and show a new code
 * when it expires.
 */
export function useLoginQr(onSignedIn: (me: MeView) => void) {
  const qr = ref<LoginQr | null>(null);
  const state = ref<LoginQrState>("loading");
  const message = ref("");
  const now = ref(Date.now());
  let stopWatch: (() => void) | null = null;
  let poll: ReturnType<typeof setTimeout> | null = null;
  let ticker: ReturnType<typeof setInterval> | null = null;
  let autoRefreshes = 0;
  let exchanging = false;
  let expiresAtLocal = 0;

  const remainingSeconds = computed(() => Math.max(0, Math.ceil((expiresAtLocal - now.value) / 1000)));
  const isSandbox = computed(() => !!qr.value && qr.value.imageUrl.includes("/sandbox/"));

  function stop(): void {
    stopWatch?.();
    stopWatch = null;
    if (poll) clearTimeout(poll);
    poll = null;
  }

  async function issue(byUser = false): Promise<void> {
    stop();
    if (byUser) autoRefreshes = 0;
    state.value = "loading";
    message.value = "";
    try {
      const issued = await authApi.loginQr();
      qr.value = issued;
      // Counted on our clock from the moment it arrived (the browser's clock may be off the server's);
      // the server's own "expired" (poll, watch answer) ends it too.
      expiresAtLocal = Date.now() + LOGIN_QR_TTL_MS;
      state.value = "waiting";
      watch(issued.scene);
    } catch (error) {
      state.value = "error";
      message.value = errorMessage(error, "获取登录二维码失败，请稍后重试");
    }
  }

  function watch(scene: string): void {
    stopWatch = watchLoginScene(scene, {
      done: (code) => void exchange(scene, code),
      refused: (text) => {
        if (qr.value?.scene !== scene || state.value === "signing-in") return;
        state.value = "refused";
        message.value = text;
      },
      expired: () => expire(scene),
    });
    schedulePoll(scene);
  }

  function schedulePoll(scene: string): void {
    poll = setTimeout(() => void pollOnce(scene), POLL_MS);
  }

  async function pollOnce(scene: string): Promise<void> {
    if (qr.value?.scene !== scene || state.value === "signing-in") return;
    try {
      const view = await authApi.loginQrStatus(scene);
      if (qr.value?.scene !== scene) return;
      if (view.status === "done" && view.code) return void exchange(scene, view.code);
      if (view.status === "expired") return expire(scene);
      if (view.status === "refused" && state.value === "waiting") {
        state.value = "refused";
        message.value = view.message ?? "扫码的微信尚未绑定客服账号";
      }
    } catch {
      // the network may be back on the next round
    }
    if (qr.value?.scene === scene && state.value !== "expired") schedulePoll(scene);
  }

  async function exchange(scene: string, code: string): Promise<void> {
    if (exchanging || qr.value?.scene !== scene) return;
    exchanging = true;
    state.value = "signing-in";
    stop();
    try {
      onSignedIn(await authApi.exchange(scene, code));
    } catch (error) {
      state.value = "expired";
      message.value = errorMessage(error, "登录失败，请刷新二维码后重新扫码");
    } finally {
      exchanging = false;
    }
  }

  function expire(scene: string): void {
    if (qr.value?.scene !== scene || state.value === "signing-in") return;
    stop();
    state.value = "expired";
    message.value = "二维码已失效";
    if (autoRefreshes < MAX_AUTO_REFRESHES && document.visibilityState === "visible") {
      autoRefreshes += 1;
      void issue();
    }
  }

  function start(): void {
    ticker = setInterval(() => {
      now.value = Date.now();
      if (qr.value && (state.value === "waiting" || state.value === "refused") && now.value >= expiresAtLocal) expire(qr.value.scene);
    }, 1000);
    void issue();
  }

  onBeforeUnmount(() => {
    stop();
    if (ticker) clearInterval(ticker);
  });

  return { qr, state, message, remainingSeconds, isSandbox, start, refresh: () => issue(true) };
}
