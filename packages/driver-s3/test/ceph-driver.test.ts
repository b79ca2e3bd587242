import { testDriver } from '@coffer/core/testing'
import { sharedS3Server } from '@coffer/driver-s3/testing'
import { afterAll } from 'vitest'

const ceph = sharedS3Server('ceph')
afterAll(() => ceph.stop())

testDriver('s3 on Ceph RGW', ceph.fixture())

// The staged strategy on a server that checks signatures, lengths and If-Match as S3 does; only the
// multipart cases, since nothing else changes with it.
testDriver('s3 on Ceph RGW, staged multipart', ceph.fixture({ multipart: 'staged' }), { only: 'multipart' })
