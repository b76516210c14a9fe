import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

/**
 * Two entries, one build: the console (agents and admins, index.html, served under /console/) and the fan
 * H5 pages (h5/index.html, Vant; the server answers /h5/ with it). Both load their hashed assets from
 * /console/assets/, so the libraries they share (Vue, the router) are one cached file.
 *
 * In development (`npm run dev -w console`) Vite serves the console with hot reload and forwards the
 * API, the socket and the sandbox to a running server (SHUIWU_SERVER, default http://localhost:3000),
 * so the session cookie and the socket stay same-origin exactly as in production.
 */
const server = process.env.SHUIWU_SERVER ?? "http://localhost:3000";

export default defineConfig({
  base: "/console/",
  plugins: [vue()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Libraries in their own long-cached chunks, so a console deploy re-downloads only our code. The
    // Element Plus chunk holds the ~45 components the console registers (src/shared/elementPlus.ts).
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      input: {
        console: fileURLToPath(new URL("index.html", import.meta.url)),
        h5: fileURLToPath(new URL("h5/index.html", import.meta.url)),
      },
      output: {
        codeSplitting: {
          groups: [
            // Vue first (highest priority): otherwise a UI library's group pulls it in as a dependency and
            // the H5 pages would download Element Plus to get Vue.
            { name: "vue", test: /node_modules[\\/](@vue|vue|vue-router|pinia)[\\/]/, priority: 40 },
            { name: "element-plus", test: /node_modules[\\/](element-plus|@element-plus)[\\/]/, priority: 30 },
            { name: "vant", test: /node_modules[\\/](vant|@vant)[\\/]/, priority: 30 },
            { name: "echarts", test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 30 },
            { name: "vendor", test: /node_modules[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      "/api": { target: server },
      "/socket.io": { target: server, ws: true },
      "/sandbox": { target: server },
      "/healthz": { target: server },
    },
  },
});
