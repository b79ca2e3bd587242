/**
 * `@coffer/driver-s3/testing`: real S3 servers for tests, started on 127.0.0.1 in a temp directory
 * (a single-node Ceph RGW from the system's Ceph packages; s3rver, an optional peer dependency),
 * and the drivers and conformance-suite fixtures made on them. For this package's tests and for
 * every other package's tests that need an S3 backend.
 */
export { startCeph } from './ceph.ts'
export {
  driverOn,
  type ServerName,
  s3Fixture,
  sharedS3Server,
  startServer,
  startStorage,
} from './s3-fixture.ts'
export { createBucket, type S3TestServer, testClient } from './s3-test-server.ts'
export { startS3rver } from './s3rver.ts'
