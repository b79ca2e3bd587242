import { memoryDriver } from '../src/index.ts'
import { testDriver } from '../src/testing/index.ts'

testDriver('memory', async () => ({ driver: memoryDriver() }))
