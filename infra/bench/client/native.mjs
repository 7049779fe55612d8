// ws masks and unmasks frames in JavaScript unless bufferutil's native addon loads: the benchmark refuses to run on the
// JavaScript fallback, which would make the client the bottleneck.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function requireNativeBufferUtil() {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('bufferutil/package.json'));
  try {
    require('node-gyp-build')(dir);
  } catch (e) {
    console.error(`bench: bufferutil's native addon does not load (${e.message}); run npm ci in ${path.dirname(fileURLToPath(import.meta.url))}`);
    process.exit(3);
  }
}
