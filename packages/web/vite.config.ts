import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const api = process.env.COFFER_URL ?? 'http://127.0.0.1:7373'

// `npm run dev -w @coffer/web` serves the UI with hot reload and sends the API's paths to a running
// Coffer (COFFER_URL, default http://127.0.0.1:7373); `vite build` writes dist/, which Coffer serves at `/`.
export default defineConfig({
  plugins: [react()],
  // Every script, style and preload tag carries this nonce; the server puts a fresh one in each
  // response and in its CSP (`script-src 'nonce-…'`), so only the UI's own assets run as script.
  html: { cspNonce: '__COFFER_CSP_NONCE__' },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  server: {
    proxy: Object.fromEntries(
      ['/v1', '/public', '/signed', '/render', '/render-signed'].map((path) => [path, api]),
    ),
  },
})
