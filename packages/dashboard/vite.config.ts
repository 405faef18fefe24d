import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The daemon serves this build under a CSP without 'unsafe-inline' and without data: fonts, so nothing
// may be inlined into index.html or turned into a data: URL; the output ships inside the banward package.
export default defineConfig({
  plugins: [preact()],
  base: './',
  build: {
    outDir: '../banward/dist/dashboard',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
