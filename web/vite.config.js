// Vite build of the Fengqiao UI. The output in dist/ is embedded into the
// fengqiao binary, which serves index.html for every non-/api path (history
// routing), so assets are addressed from the root.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Vue and the router change rarely: keep them in a stable chunk of their own.
// ECharts and Leaflet need no rule: they are imported only by lazily loaded
// components, so Rollup leaves them out of the entry (login page) chunks.
function vendorChunk(id) {
  if (!id.includes('node_modules')) return undefined;
  if (/[\\/]node_modules[\\/](@vue|vue|vue-router)[\\/]/.test(id)) return 'vue';
  return undefined;
}

export default defineConfig({
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    assetsInlineLimit: 4096,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: { manualChunks: vendorChunk },
    },
  },
  server: {
    // `npm run dev` against a locally running `fengqiao serve`.
    proxy: {
      '/api': { target: process.env.FQ_API || 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
