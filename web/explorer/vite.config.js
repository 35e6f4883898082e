import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// Built into the Go tree and embedded in the binary: the page works with no internet.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/explore/',
  build: {
    outDir: fileURLToPath(new URL('../../server/explorer/dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
});
