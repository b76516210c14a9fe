import { ref, readonly, type Ref } from "vue";

/**
 * One ticking clock for every countdown on screen (window remaining, idle time), so a list of fifty
 * conversations costs one timer, not fifty.
 */
const now = ref(Date.now());
let timer: ReturnType<typeof setInterval> | null = null;
let users = 0;

export function useNow(): Readonly<Ref<number>> {
  users += 1;
  if (!timer) timer = setInterval(() => (now.value = Date.now()), 1000);
  return readonly(now);
}

export function releaseNow(): void {
  users = Math.max(0, users - 1);
  if (users === 0 && timer) {
    clearInterval(timer);
    timer = null;
  }
}
