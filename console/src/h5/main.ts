import { createApp } from "vue";
import Vant from "vant";
import "vant/lib/index.css";
import "./shared/h5.css";
import App from "./App.vue";
import { router } from "./router";

/**
 * The fan's H5 pages (opened from the official account's menu and template messages, inside WeChat's
 * browser), served at /h5/. Vant is registered whole: the pages of every service use most of it, and one
 * vendor chunk (~60 KB gzip) caches better than per-page registration saves.
 */
const app = createApp(App);
app.use(Vant);
app.use(router);
app.mount("#app");
