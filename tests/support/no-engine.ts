import { createRequire } from 'node:module';
import { afterAll } from 'vitest';

// chdb loads its native library through require (node_modules/chdb/index.mjs), so a file that started the
// engine leaves chdb/index.js in the require cache of its process.
const cache = createRequire(import.meta.url).cache;
const engineLoaded = (): boolean =>
  Object.keys(cache).some((path) => /[\\/]node_modules[\\/]chdb[\\/]index\.js$/.test(path));

// Setup files run again before each test file, also in a shared process: only the file that loaded the
// engine is blamed, not the ones after it.
const loadedBefore = engineLoaded();

afterAll(() => {
  if (!loadedBefore && engineLoaded()) {
    throw new Error(
      'this file started the embedded ClickHouse engine in a shared process: list it in ENGINE_FILES in vitest.config.ts',
    );
  }
});
