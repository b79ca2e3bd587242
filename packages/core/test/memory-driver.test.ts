import { memoryDriver } from '../src/index.ts'
import { testDriver } from './driver-suite.ts'

testDriver('memory', async () => ({ driver: memoryDriver() }))
