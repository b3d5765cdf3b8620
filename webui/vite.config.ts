import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const BACKEND = "http://127.0.0.1:8000";

export default defineConfig({
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The lazily loaded crowd-flow chunk is ECharts (~600 kB); the app shell stays under 500 kB.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      "/api": { target: BACKEND, ws: true },
      "/metrics": { target: BACKEND },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
