import { createApp } from "vue";
import { createPinia } from "pinia";
import "element-plus/dist/index.css";
import "./shared/console.css";
import App from "./App.vue";
import { elementPlus } from "./shared/elementPlus";
import { router } from "./router";
import { setUnauthorizedHandler } from "./api/ApiClient";
import { useSessionStore } from "./stores/session";
import { leaveToLogin } from "./shared/leave";

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(router);
app.use(elementPlus);

// Any 401 means the session ended (expired, logged out elsewhere, agent deleted): back to the login page.
setUnauthorizedHandler(() => {
  useSessionStore(pinia).forget();
  if (router.currentRoute.value.name !== "login") leaveToLogin(router.currentRoute.value.fullPath);
});

app.mount("#app");
