import { testDriver } from '@coffer/core/testing'
import { s3Fixture } from '@coffer/driver-s3/testing'

testDriver('s3 on s3rver', s3Fixture('s3rver'), {
  quirks: {
    unorderedListing: 's3rver lists in its file-system walk order ("a/b" before "a"), not in key order',
    nonAtomicOverwrite:
      's3rver writes an object and its metadata as two files, in place: readers can mix versions or be cut short',
  },
})
