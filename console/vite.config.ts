import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

/**
 * The console is served by the Koa server under /console/ (agents and admins); the fan H5 pages
 * will be a second entry of this build (build.rollupOptions.input) in the water-services issue.
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
      output: {
        codeSplitting: {
          groups: [
            { name: "element-plus", test: /node_modules[\\/](element-plus|@element-plus)[\\/]/ },
            { name: "vendor", test: /node_modules[\\/]/ },
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
