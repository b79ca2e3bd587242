import { testDriver } from '@coffer/core/testing'
import { s3Fixture } from './s3-fixture.ts'

testDriver('s3 on Ceph RGW', s3Fixture('ceph'))
