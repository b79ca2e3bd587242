import { expect, test } from 'vitest'
import { DEFAULT_IMAGE_LIMITS, imageLimitsFromEnv } from '../src/index.ts'

test('limits come from COFFER_IMAGE_* over the defaults', () => {
  expect(imageLimitsFromEnv({})).toEqual(DEFAULT_IMAGE_LIMITS)
  expect(DEFAULT_IMAGE_LIMITS.maxPixels).toBe(50_000_000)
  const limits = imageLimitsFromEnv({
    COFFER_IMAGE_MAX_PIXELS: '1000000',
    COFFER_IMAGE_QUEUE: '0',
    COFFER_IMAGE_CONCURRENCY: '4',
  })
  expect([limits.maxPixels, limits.maxQueued, limits.concurrency]).toEqual([1_000_000, 0, 4])
})

test.each([
  ['COFFER_IMAGE_MAX_PIXELS', '50MP'],
  ['COFFER_IMAGE_CONCURRENCY', '0'],
  ['COFFER_IMAGE_TIMEOUT_MS', '-1'],
])('%s=%s is refused', (name, value) => {
  expect(() => imageLimitsFromEnv({ [name]: value })).toThrow(
    expect.objectContaining({ code: 'InvalidArgument', message: `${name} must be a positive integer` }),
  )
})
