import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `baton serve` serves dist/ at `/`; `pnpm --filter @baton/designer dev` proxies the API to a running server.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/v1': 'http://127.0.0.1:3000' } },
});
