import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the packages' sources, not their build output, so no build step can go stale.
    alias: [
      { find: /^@coffer\/core$/, replacement: source('./packages/core/src/index.ts') },
      { find: /^@coffer\/core\/errors$/, replacement: source('./packages/core/src/errors.ts') },
      { find: /^@coffer\/client$/, replacement: source('./packages/client/src/index.ts') },
      { find: /^@coffer\/client\/schemas$/, replacement: source('./packages/client/src/schemas/index.ts') },
      { find: /^@coffer\/images\/render-url$/, replacement: source('./packages/images/src/render-url.ts') },
      { find: /^@coffer\/core\/driver$/, replacement: source('./packages/core/src/driver-kit.ts') },
      { find: /^@coffer\/core\/testing$/, replacement: source('./packages/core/src/testing/index.ts') },
      { find: /^@coffer\/driver-s3$/, replacement: source('./packages/driver-s3/src/index.ts') },
      { find: /^@coffer\/images$/, replacement: source('./packages/images/src/index.ts') },
      {
        find: /^@coffer\/driver-s3\/options-from-env$/,
        replacement: source('./packages/driver-s3/src/s3-options-from-env.ts'),
      },
      { find: /^@coffer\/exports$/, replacement: source('./packages/exports/src/index.ts') },
      {
        find: /^@coffer\/driver-s3\/testing$/,
        replacement: source('./packages/driver-s3/src/testing/index.ts'),
      },
      {
        find: /^@coffer\/server\/heap-tuning$/,
        replacement: source('./packages/server/src/service/heap-tuning.ts'),
      },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // `expect.poll` waits for what a busy machine (CI with Ceph, Postgres and Chromium beside the
    // tests on 2 cores) may take seconds to do; 1 s, the default, made the tests flaky there.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // Memory tests collect garbage before they measure, so that they see live memory only.
    execArgv: ['--expose-gc'],
  },
})
