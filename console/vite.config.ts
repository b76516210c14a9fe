import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// The console is served by the Koa server under /console/ (agents and admins); the fan H5 pages
// will be a second entry of this build (build.rollupOptions.input) in the water-services issue.
export default defineConfig({
  base: "/console/",
  plugins: [vue()],
  build: { outDir: "dist", emptyOutDir: true },
});
