import { testDriver } from '@coffer/core/testing'
import { s3Fixture } from '@coffer/driver-s3/testing'

testDriver('s3 on Ceph RGW', s3Fixture('ceph'))
