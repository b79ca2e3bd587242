import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Driver suites start real servers; files run in parallel workers, which is fine on 2 cores.
    pool: 'forks',
  },
})
