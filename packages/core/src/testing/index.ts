/**
 * `@coffer/core/testing`: the conformance suite every driver passes, for a driver's own tests
 * (`testDriver('name', async () => ({ driver, cleanup }))`). It runs on vitest, which the package
 * takes as an optional peer dependency: only this entry point needs it.
 */

export { createOnlyCases } from './create-only-cases.ts'
export {
  type DriverFixture,
  expectCode,
  type Quirks,
  type SuiteContext,
  type SuiteOptions,
  sha256,
  testDriver,
  text,
} from './driver-suite.ts'
export { multipartCases } from './multipart-cases.ts'
