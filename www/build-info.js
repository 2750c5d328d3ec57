// Placeholder for working on the page without a build. scripts/build-www.sh
// replaces this file in dist/ with the real asset list and a VERSION hashed
// from the assets' contents.
export const VERSION = 'dev';
export const ASSETS = [
  './',
  './app.js',
  './chapters.js',
  './engine.js',
  './files.js',
  './icon.svg',
  './index.html',
  './manifest.webmanifest',
  './messages.js',
  './metadata.js',
  './offline.js',
  './pkg/quire.js',
  './pkg/quire_bg.wasm',
  './preview.js',
  './style.css',
  './trusted-types.js',
  './worker.js',
];
export const LAZY_ASSETS = ['./pkg-full/quire.js', './pkg-full/quire_bg.wasm'];
