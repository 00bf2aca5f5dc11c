import { defineConfig } from "vite";

// React without @vitejs/plugin-react: esbuild compiles JSX, which keeps the example small.
export default defineConfig({ esbuild: { jsx: "automatic" } });
