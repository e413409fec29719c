import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { buildFallback, buildFonts } from './tools/fonts/build-fonts.js';

/** The screen's fonts, cut to the catalogue's characters, before the stylesheet that loads them is bundled. */
function kioskFonts(): Plugin {
  return {
    name: 'kiosk-fonts',
    async buildStart() {
      await buildFonts();
      buildFallback();
    },
  };
}

/**
 * The kiosk screen: Preact + the shared contract, built to `dist/renderer`.
 * `base: './'` keeps asset URLs relative: Electron loads the page from a custom
 * protocol, browser mode from http://127.0.0.1. CSS goes to its own file (the
 * CSP allows `style-src 'self'` only), and nothing is inlined as a data: URL
 * script.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  plugins: [kioskFonts()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome120',
    // Keep every asset a file: a data: script or a style inlined into the
    // HTML would need CSP exceptions.
    assetsInlineLimit: 0,
    // Split: the fallback face's large stylesheet is its own file, loaded after the first screen (fonts-fallback.ts).
    cssCodeSplit: true,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry tree-shaking notes for esbuild that Rollup reports and drops; nothing to act on.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
});
