import fc from 'fast-check'
import { CHECKSUM_ALGORITHMS } from '../../src/s3/checksum-hasher.ts'
import { S3_DOMAIN } from './coffer-process.ts'
import {
  bucketName,
  contentType,
  headerValue,
  keyPath,
  objectBody,
  objectKey,
  rangeHeader,
  sometimes,
} from './inputs.ts'
import type { Plan, Step } from './plan.ts'
import { transport } from './plan.ts'
import { postFault } from './s3-post-form.ts'
import { type PayloadMode, type S3Signing, TAMPERS, type Tamper } from './s3-signing.ts'

// Requests to the S3 endpoint, signed as clients sign them (SigV4 header, presigned, aws-chunked)
// with one thing broken at a time. Steps that write or read a key name it (`mirror`), so the
// fuzzer checks that what S3 and the REST API serve is what was last written there.

const OBJECT = 'S3 /:bucket/*'

const payloadMode = fc.constantFrom<PayloadMode>(
  'signed',
  'signed',
  'unsigned',
  'streaming',
  'streaming',
  'streaming-trailer',
  'streaming-trailer',
  'unsigned-trailer',
  'unsigned-trailer',
  'mismatch',
  'garbage',
  'absent',
)

/** Mostly a valid signature, so that requests reach the operations; one tamper at a time otherwise. */
const tamper = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Tamper>('none') },
  { weight: 4, arbitrary: fc.constantFrom<Tamper>(...TAMPERS) },
)

const checksum = fc.record({
  algorithm: fc.constantFrom(...CHECKSUM_ALGORITHMS, 'md5' as const),
  value: fc.constantFrom('right', 'right', 'wrong', 'garbage') as fc.Arbitrary<'right' | 'wrong' | 'garbage'>,
  where: fc.constantFrom('header', 'trailer') as fc.Arbitrary<'header' | 'trailer'>,
})

const chunkSizes = fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 3 })

/** With `declared` when there is one (`exactOptionalPropertyTypes`: no `checksum: undefined`). */
const withChecksum = (s: Omit<S3Signing, 'checksum'>, declared: S3Signing['checksum'] | undefined) =>
  declared === undefined ? s : { ...s, checksum: declared }

/** A signature S3 accepts, in any of the forms clients send, by a key that may or may not be allowed. */
const validSigning: fc.Arbitrary<S3Signing> = fc
  .record({
    as: fc.constantFrom('admin', 'admin', 'scoped'),
    presign: fc.boolean(),
    payload: fc.constantFrom<PayloadMode>(
      'signed',
      'unsigned',
      'streaming',
      'streaming-trailer',
      'unsigned-trailer',
    ),
    chunkSizes,
    checksum: sometimes(
      checksum.map((c) => ({ ...c, value: 'right' as const })),
      2,
    ),
  })
  .map(({ presign, payload, checksum: declared, ...rest }) => {
    // A presigned URL carries no aws-chunked body: its payload is unsigned or hashed.
    const how: S3Signing['how'] = presign && !payload.includes('-') ? 'presign' : 'header'
    return withChecksum({ ...rest, how, payload, tamper: 'none' }, declared)
  })

/** Anything: whoever, however, with any payload mode and mostly one tamper. */
const anySigning: fc.Arbitrary<S3Signing> = fc
  .record({
    as: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('admin', 'admin', 'scoped', 'reader') },
      { weight: 1, arbitrary: fc.constant('unknown') },
    ),
    how: fc.oneof(
      { weight: 8, arbitrary: fc.constant<S3Signing['how']>('header') },
      { weight: 3, arbitrary: fc.constant<S3Signing['how']>('presign') },
      { weight: 1, arbitrary: fc.constant<S3Signing['how']>('anonymous') },
    ),
    payload: payloadMode,
    tamper,
    chunkSizes,
    checksum: sometimes(checksum, 2),
  })
  .map(({ checksum: declared, ...rest }) => withChecksum(rest, declared))

/** Who signs and how: half the time as a client that does it right, so that operations run. */
const signing = (): fc.Arbitrary<S3Signing> =>
  fc.oneof({ weight: 1, arbitrary: validSigning }, { weight: 1, arbitrary: anySigning })

/** A key as an S3 client puts it in a path: mostly each segment encoded, sometimes raw or `%2F`. */
const s3KeyPath = fc
  .tuple(objectKey, fc.constantFrom('segments', 'segments', 'segments', 'raw', 'whole' as const))
  .map(([key, encoding]) => ({ key, path: keyPath(key, encoding) }))

/** A key of the case's own (no earlier case wrote it), or an odd one. */
const caseKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('s3/{case}/a.txt', 'u1/s3-{case}.txt', 'u1/s3/{case}/ф о.txt') },
  { weight: 2, arbitrary: s3KeyPath.map((k) => k.key) },
)

/** How a key goes into the path: each segment encoded as SigV4 clients do. */
const s3Path = (key: string) =>
  key
    .split('/')
    .map((segment) => (segment.isWellFormed() ? encodeURIComponent(segment) : segment))
    .join('/')
    .replaceAll('%7Bcase%7D', '{case}')

/** Whether the REST API and S3 name a key the same way, so their answers can be compared. */
const comparable = (key: string) =>
  key.isWellFormed() &&
  !key.endsWith('/') &&
  !/[\u0000-\u001f\u007f\\%?#]/.test(key) &&
  key.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && s.trim() === s && s.length < 200)

/** An S3 step; `mirror` names the object it writes, deletes, changes or reads. */
function s3(
  method: string,
  target: string,
  headers: Array<[string, string | undefined]>,
  sign: S3Signing,
  options: Partial<Step> = {},
): Step {
  const present = headers.filter((h): h is [string, string] => h[1] !== undefined)
  const route = options.route ?? `${method} ${OBJECT}`
  return { route, method, target, headers: present, transport: 'http', listener: 's3', s3: sign, ...options }
}

/** A request S3 should accept: the admin's signature on a hashed body. */
const signingValid: S3Signing = {
  as: 'admin',
  how: 'header',
  payload: 'signed',
  tamper: 'none',
  chunkSizes: [1],
}

/** Reads of a key through S3 and the REST API as the admin: both must show what was last written. */
function verify(bucket: string, key: string): Step[] {
  if (!comparable(key) || !/^fz-/.test(bucket)) return []
  const object = `${bucket}/${key}`
  return [
    s3('GET', `/${bucket}/${s3Path(key)}`, [], signingValid, {
      route: 'GET S3 /:bucket/* (check)',
      mirror: { object, op: 'read' },
    }),
    {
      route: 'GET /v1/buckets/:bucket/objects/* (check)',
      method: 'GET',
      target: `/v1/buckets/${bucket}/objects/${s3Path(key)}`,
      headers: [['Authorization', 'Bearer {token:admin}']],
      transport: 'http',
      mirror: { object, op: 'read' },
    },
  ]
}

const putHeaders = fc.record({
  type: sometimes(contentType, 1),
  meta: sometimes(
    fc.tuple(
      fc.constantFrom('x-amz-meta-a', 'x-amz-meta-фото', 'x-amz-meta-', 'X-Amz-Meta-B_c'),
      headerValue,
    ),
  ),
  metaWord: sometimes(
    fc.constantFrom('=?UTF-8?B?0YTQvtGC0L4=?=', '=?UTF-8?Q?caf=C3=A9?=', '=?UTF-8?B?###?='),
  ),
  tagging: sometimes(fc.constantFrom('a=b', 'a=b&c=d', '=', 'a', `${'k'.repeat(129)}=v`, '%zz=1', 'a=1&a=2')),
  ifNoneMatch: sometimes(fc.constantFrom('*', '"abc"', '')),
  ifMatch: sometimes(fc.constantFrom('*', '"abc"'), 6),
  expect: sometimes(fc.constantFrom('100-continue'), 4),
  storageClass: sometimes(fc.constantFrom('STANDARD', 'GLACIER', 'bogus'), 6),
  algorithm: sometimes(fc.constantFrom('CRC32', 'SHA256', 'crc64nvme', 'MD5'), 5),
})

const getHeaders = fc.record({
  range: sometimes(rangeHeader, 2),
  ifMatch: sometimes(fc.constantFrom('*', '"abc"', '""', 'W/"x"')),
  ifNoneMatch: sometimes(fc.constantFrom('*', '"abc"', 'W/"x", "y"')),
  ifModifiedSince: sometimes(
    fc.constantFrom('Thu, 01 Jan 1970 00:00:00 GMT', 'garbage', 'Fri, 31 Dec 9999 23:59:59 GMT'),
  ),
  ifUnmodifiedSince: sometimes(fc.constantFrom('Thu, 01 Jan 1970 00:00:00 GMT', 'garbage')),
  checksumMode: sometimes(fc.constantFrom('ENABLED', 'enabled', 'x')),
  query: fc.constantFrom(
    '',
    '',
    '',
    '?partNumber=1',
    '?partNumber=0',
    '?partNumber=10001',
    '?partNumber=abc',
    '?versionId=null',
    '?versionId=abc',
    '?response-content-type=text%2Fhtml&response-content-disposition=inline',
    '?response-content-disposition=attachment%3B%20filename%3D%22%0D%0Ax%22',
    '?response-expires=garbage',
    '?acl',
    '?torrent',
    '?attributes',
    '?uploadId=',
    '?x-id=GetObject',
  ),
})

type PutHeaders = typeof putHeaders extends fc.Arbitrary<infer T> ? T : never
type GetHeaders = typeof getHeaders extends fc.Arbitrary<infer T> ? T : never

const copySource = fc.constantFrom(
  '/fz-open/u1/hello.txt',
  'fz-open/u1/hello.txt',
  '/fz-public/page.html',
  'fz-open/u1/hello.txt?versionId=null',
  'fz-open/u1/hello.txt?versionId=abc',
  '/fz-open/nope/none',
  '/nope-none/x',
  '/fz-open',
  '/',
  '',
  '%',
  '/fz-open/%zz',
  '/fz-open/..%2F..%2Fsentinel%2Fcanary.txt',
  '/fz-open/s3/{case}/a.txt',
  'фото',
)

const taggingXml = fc.constantFrom(
  '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>',
  '<Tagging><TagSet></TagSet></Tagging>',
  '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag><Tag><Key>a</Key><Value>c</Value></Tag></TagSet></Tagging>',
  `<Tagging><TagSet>${'<Tag><Key>k</Key><Value>v</Value></Tag>'.repeat(11)}</TagSet></Tagging>`,
  `<Tagging><TagSet><Tag><Key>${'k'.repeat(200)}</Key><Value>v</Value></Tag></TagSet></Tagging>`,
  '<Tagging><TagSet><Tag><Key></Key></Tag></TagSet></Tagging>',
  '<Tagging>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Tagging><TagSet><Tag><Key>&e;</Key><Value>v</Value></Tag></TagSet></Tagging>',
  '<Tagging><TagSet><Tag><Key>a</Key><Value>&lt;b&gt;&#0;</Value></Tag></TagSet></Tagging>',
  '',
  'not xml',
  `<a>${'<b>'.repeat(2000)}`,
)

const objectOp = fc.record({
  method: fc.constantFrom(
    'PUT',
    'PUT',
    'PUT',
    'GET',
    'GET',
    'HEAD',
    'DELETE',
    'COPY',
    'ATTRIBUTES',
    'TAGGING',
    'POST',
    'PATCH',
  ),
  sign: signing(),
  put: fc.oneof(fc.constant({}), putHeaders) as fc.Arbitrary<Partial<PutHeaders>>,
  get: fc.oneof(fc.constant({ query: '' }), getHeaders) as fc.Arbitrary<
    Partial<GetHeaders> & { query: string }
  >,
  body: objectBody,
  copy: fc.record({
    source: copySource,
    directive: sometimes(fc.constantFrom('COPY', 'REPLACE', 'bogus')),
    tagging: sometimes(fc.constantFrom('COPY', 'REPLACE', 'x')),
    ifMatch: sometimes(fc.constantFrom('*', '"abc"')),
    range: sometimes(fc.constantFrom('bytes=0-1', 'bytes=9-0')),
  }),
  attributes: fc.constantFrom(
    'ETag,Checksum,ObjectParts,StorageClass,ObjectSize',
    'ObjectSize',
    '',
    'Bogus',
    'ETag,,',
    undefined,
  ),
  maxParts: sometimes(fc.constantFrom('1', '0', '-1', 'abc', '99999')),
  tagging: fc.record({ verb: fc.constantFrom('PUT', 'PUT', 'GET', 'DELETE'), xml: taggingXml }),
  transport,
})

type ObjectOp = typeof objectOp extends fc.Arbitrary<infer T> ? T : never

function objectStep(bucket: string, key: string, path: string, op: ObjectOp): Step {
  const target = `/${bucket}/${path}`
  const object = `${bucket}/${key}`
  const opts = { transport: op.transport }
  const p = op.put
  switch (op.method) {
    case 'PUT':
    case 'POST':
    case 'PATCH':
      return s3(
        op.method,
        target,
        [
          ['Content-Type', p.type],
          [p.meta?.[0] ?? 'x-amz-meta-none', p.meta?.[1]],
          ['x-amz-meta-word', p.metaWord],
          ['x-amz-tagging', p.tagging],
          ['If-None-Match', p.ifNoneMatch],
          ['If-Match', p.ifMatch],
          ['Expect', p.expect],
          ['x-amz-storage-class', p.storageClass],
          ['x-amz-sdk-checksum-algorithm', p.algorithm],
        ],
        op.sign,
        { ...opts, body: op.body, mirror: { object, op: 'write' } },
      )
    case 'GET':
    case 'HEAD': {
      const g = op.get
      return s3(
        op.method,
        `${target}${g.query}`,
        [
          ['Range', g.range],
          ['If-Match', g.ifMatch],
          ['If-None-Match', g.ifNoneMatch],
          ['If-Modified-Since', g.ifModifiedSince],
          ['If-Unmodified-Since', g.ifUnmodifiedSince],
          ['x-amz-checksum-mode', g.checksumMode],
        ],
        op.sign,
        opts,
      )
    }
    case 'DELETE':
      return s3('DELETE', target, [], op.sign, { ...opts, mirror: { object, op: 'delete' } })
    case 'COPY': {
      const c = op.copy
      return s3(
        'PUT',
        target,
        [
          ['x-amz-copy-source', c.source],
          ['x-amz-metadata-directive', c.directive],
          ['x-amz-tagging-directive', c.tagging],
          ['x-amz-copy-source-if-match', c.ifMatch],
          ['x-amz-copy-source-range', c.range],
          ['If-None-Match', p.ifNoneMatch],
        ],
        op.sign,
        { ...opts, route: `COPY ${OBJECT}`, mirror: { object, op: 'change' } },
      )
    }
    case 'ATTRIBUTES':
      return s3(
        'GET',
        `${target}?attributes${op.maxParts === undefined ? '' : `&max-parts=${op.maxParts}`}`,
        [['x-amz-object-attributes', op.attributes]],
        op.sign,
        { ...opts, route: `GetObjectAttributes ${OBJECT}` },
      )
    default: {
      const t = op.tagging
      const body = t.verb === 'PUT' ? { body: Buffer.from(t.xml) } : {}
      return s3(t.verb, `${target}?tagging`, [], op.sign, {
        ...opts,
        ...body,
        route: `${t.verb} tagging ${OBJECT}`,
      })
    }
  }
}

/** One key, one to four S3 operations on it, then reads of it through S3 and the REST API. */
export const s3ObjectCase: fc.Arbitrary<Plan> = fc
  .record({
    bucket: bucketName,
    key: caseKey,
    raw: fc.boolean(),
    ops: fc.array(objectOp, { minLength: 1, maxLength: 4 }),
    race: fc.constantFrom(false, false, false, true),
    virtual: fc.constantFrom(false, false, false, true),
  })
  .map(({ bucket, key, raw, ops, race, virtual }): Plan => {
    const path = raw && !key.includes('{') ? keyPath(key, 'raw') : s3Path(key)
    // Virtual-host style: the bucket in the Host header (`<bucket>.s3.fuzz.test`), the key the path.
    const steps = ops
      .map((op) => objectStep(bucket, key, path, op))
      .map((s) =>
        virtual
          ? {
              ...s,
              target: s.target.slice(bucket.length + 1),
              headers: [...s.headers, ['Host', `${bucket}.${S3_DOMAIN}`] as [string, string]],
            }
          : s,
      )
    if (!race || steps.length < 2) return [...steps, ...verify(bucket, key)]
    // Side by side, in two halves and beside a write through the REST API: which write wins is the
    // server's to order, so what they leave is not followed, only that both APIs then agree on it.
    const unordered = steps.map((s) =>
      s.mirror ? { ...s, mirror: { ...s.mirror, op: 'change' as const } } : s,
    )
    const half = Math.ceil(unordered.length / 2)
    const rest: Step = {
      route: 'PUT /v1/buckets/:bucket/objects/* (race)',
      method: 'PUT',
      target: `/v1/buckets/${bucket}/objects/${s3Path(key)}`,
      headers: [['Authorization', 'Bearer {token:admin}']],
      body: Buffer.from('written through the REST API'),
      transport: 'http',
      mirror: { object: `${bucket}/${key}`, op: 'change' },
    }
    return [{ parallel: [unordered.slice(0, half), unordered.slice(half), [rest]] }, ...verify(bucket, key)]
  })

const listParam = fc.record({
  prefix: sometimes(fc.constantFrom('', 'u1/', 'u1', 'фото', '%', '../', 's3/')),
  delimiter: sometimes(fc.constantFrom('/', '', 'фото', 'x'.repeat(300), '%2F')),
  maxKeys: sometimes(
    fc.constantFrom('0', '1', '1000', '1001', '-1', 'abc', '99999999999999999999', '1.5', ''),
  ),
  marker: sometimes(fc.constantFrom('', 'u1/', 'zzzz', '\u0000', 'x'.repeat(2000))),
  token: sometimes(fc.constantFrom('', 'garbage', '%%', 'eyJrIjoiYSJ9', 'x'.repeat(5000), 'AAAA')),
  startAfter: sometimes(fc.constantFrom('', 'u1/', 'фото')),
  encoding: sometimes(fc.constantFrom('url', 'URL', 'bogus')),
  fetchOwner: sometimes(fc.constantFrom('true', 'false', 'x')),
  version: fc.constantFrom(
    'list-type=2',
    'list-type=2',
    '',
    'versions',
    'uploads',
    'list-type=3',
    'list-type=1',
  ),
})

const deleteXml = fc.oneof(
  fc
    .tuple(fc.array(fc.oneof(objectKey, fc.constant('u1/hello.txt')), { maxLength: 4 }), fc.boolean())
    .map(
      ([keys, quiet]) =>
        `<Delete>${quiet ? '<Quiet>true</Quiet>' : ''}${keys
          .map((k) => `<Object><Key>${k.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Key></Object>`)
          .join('')}</Delete>`,
    ),
  fc.constantFrom(
    '<Delete></Delete>',
    '<Delete><Object></Object></Delete>',
    '<Delete><Object><Key>a</Key><VersionId>x</VersionId></Object></Delete>',
    `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`,
    '<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>',
    '<Delete>',
    '',
    'junk',
  ),
)

/** Listings with odd parameters, DeleteObjects XML, bucket operations and ones not served. */
export const s3BucketCase: fc.Arbitrary<Plan> = fc
  .record({
    bucket: bucketName,
    kind: fc.constantFrom('list', 'list', 'list', 'page', 'delete', 'bucket', 'service'),
    tokenTamper: fc.constantFrom('', '', 'A', '%3D', '=', 'x'.repeat(3000)),
    v1: fc.boolean(),
    list: listParam,
    xml: deleteXml,
    md5: fc.boolean(),
    verb: fc.constantFrom(
      'HEAD',
      'GET ?location',
      'PUT',
      'DELETE',
      'GET ?acl',
      'PUT ?versioning',
      'GET ?cors',
      'POST',
      'GET ?policy',
    ),
    createXml: fc.constantFrom(
      undefined,
      '<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>',
      '<CreateBucketConfiguration><LocationConstraint>mars-1</LocationConstraint></CreateBucketConfiguration>',
      'junk',
    ),
    sign: signing(),
    transport,
  })
  .map((c): Plan => {
    const opts = { transport: c.transport }
    if (c.kind === 'page') {
      // A real page token (captured as {s3token}) followed as given, then with something added; v1
      // answers NextMarker only with a delimiter.
      const [list, token] = c.v1 ? ['', 'marker'] : ['list-type=2&', 'continuation-token']
      const delimiter = c.v1 || c.list.delimiter !== undefined ? '&delimiter=%2F' : ''
      const first = `/${c.bucket}?${list}max-keys=1${delimiter}`
      const page = (target: string) =>
        s3('GET', target, [], signingValid, { ...opts, route: 'S3 list /:bucket (pages)' })
      const tampered = c.tokenTamper === '' ? [] : [page(`${first}&${token}={s3token}${c.tokenTamper}`)]
      return [page(first), page(`${first}&${token}={s3token}`), ...tampered]
    }
    if (c.kind === 'service')
      return [
        s3('GET', '/', [], c.sign, { ...opts, route: 'S3 ListBuckets' }),
        s3('GET', '/?x-id=ListBuckets', [], c.sign, { ...opts, route: 'S3 ListBuckets' }),
      ]
    if (c.kind === 'list') {
      const l = c.list
      const params: Array<[string, string | undefined]> = [
        ['prefix', l.prefix],
        ['delimiter', l.delimiter],
        ['max-keys', l.maxKeys],
        [
          l.version === 'list-type=2'
            ? 'continuation-token'
            : l.version === 'uploads'
              ? 'upload-id-marker'
              : 'marker',
          l.token ?? l.marker,
        ],
        [l.version === 'uploads' || l.version === 'versions' ? 'key-marker' : 'start-after', l.startAfter],
        ['encoding-type', l.encoding],
        ['fetch-owner', l.fetchOwner],
      ]
      const query = [
        l.version,
        ...params
          .filter((p): p is [string, string] => p[1] !== undefined)
          .map(([n, v]) => `${n}=${encodeURIComponent(v)}`),
      ].filter((p) => p !== '')
      return [
        s3('GET', `/${c.bucket}${query.length > 0 ? `?${query.join('&')}` : ''}`, [], c.sign, {
          ...opts,
          route: 'S3 list /:bucket',
        }),
      ]
    }
    if (c.kind === 'delete') {
      const sign = c.md5
        ? {
            ...c.sign,
            checksum: { algorithm: 'md5' as const, value: 'right' as const, where: 'header' as const },
          }
        : c.sign
      return [
        s3('POST', `/${c.bucket}?delete`, [['Content-Type', 'application/xml']], sign, {
          ...opts,
          body: Buffer.from(c.xml),
          route: 'S3 DeleteObjects /:bucket',
        }),
      ]
    }
    const [method = 'GET', query = ''] = c.verb.split(' ')
    const bucket = method === 'PUT' && query === '' ? 'fzs3-{case}' : c.bucket
    const body = method === 'PUT' && c.createXml !== undefined ? { body: Buffer.from(c.createXml) } : {}
    const plan: Plan = [
      s3(method, `/${bucket}${query}`, [], c.sign, { ...opts, ...body, route: `S3 ${c.verb} /:bucket` }),
    ]
    if (bucket.startsWith('fzs3-'))
      plan.push(
        s3(
          'DELETE',
          `/${bucket}`,
          [],
          { ...c.sign, tamper: 'none' },
          { ...opts, route: 'S3 DELETE /:bucket' },
        ),
      )
    return plan
  })

const partBody = fc.oneof(
  { weight: 4, arbitrary: objectBody },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(5 * 1024 * 1024, 0x70)) },
)

const completeXml = fc.oneof(
  fc
    .array(
      fc.record({
        n: fc.constantFrom('1', '2', '3', '0', '10001', '-1', 'x'),
        etag: fc.constantFrom('{etag1}', '{etag2}', '{etag3}', '"abc"', ''),
      }),
      {
        minLength: 0,
        maxLength: 4,
      },
    )
    .map(
      (parts) =>
        `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`,
    ),
  fc.constantFrom(
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag1}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{etag2}</ETag></Part></CompleteMultipartUpload>',
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag1}</ETag></Part></CompleteMultipartUpload>',
    '<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>{etag2}</ETag></Part><Part><PartNumber>1</PartNumber><ETag>{etag1}</ETag></Part></CompleteMultipartUpload>',
    '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag1}</ETag></Part><Part><PartNumber>1</PartNumber><ETag>{etag1}</ETag></Part></CompleteMultipartUpload>',
    '<CompleteMultipartUpload>',
    '',
    'junk',
  ),
)

const partOp = fc.record({
  kind: fc.constantFrom('part', 'part', 'part', 'copy', 'list', 'abort'),
  n: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('1', '2', '3') },
    { weight: 1, arbitrary: fc.constantFrom('0', '10001', '-1', 'abc', '1.5', '', '01', '1e0') },
  ),
  upload: fc.oneof(
    { weight: 5, arbitrary: fc.constant('{s3upload}') },
    { weight: 1, arbitrary: fc.constantFrom('nope', '', '../x', '{s3upload}%2F..', '{s3upload}&uploadId=x') },
  ),
  body: partBody,
  sign: signing(),
  range: sometimes(fc.constantFrom('bytes=0-1', 'bytes=0-99999', 'bytes=3-1', 'bytes=x')),
  source: copySource,
  listQuery: fc.constantFrom(
    '',
    '&max-parts=1',
    '&part-number-marker=1',
    '&max-parts=-1',
    '&part-number-marker=x',
  ),
  transport,
})

/** A multipart upload: created, parts sent (odd numbers, sizes, bodies), copied, listed, completed or aborted. */
export const s3MultipartCase: fc.Arbitrary<Plan> = fc
  .record({
    bucket: bucketName,
    key: caseKey,
    create: signing(),
    validCreate: fc.boolean(),
    algorithm: sometimes(fc.constantFrom('CRC32', 'SHA256', 'CRC64NVME', 'bogus')),
    checksumType: sometimes(fc.constantFrom('COMPOSITE', 'FULL_OBJECT', 'x'), 4),
    type: sometimes(contentType, 1),
    ops: fc.array(partOp, { minLength: 1, maxLength: 5 }),
    end: fc.constantFrom('complete', 'complete', 'abort', 'none'),
    xml: completeXml,
    endSign: signing(),
    validEnd: fc.boolean(),
    // Side by side: the part requests in two halves, or the end with a second completion and an abort.
    race: fc.constantFrom('none', 'none', 'none', 'parts', 'ends'),
  })
  .map((c): Plan => {
    const path = `/${c.bucket}/${s3Path(c.key)}`
    const object = `${c.bucket}/${c.key}`
    const create = c.validCreate
      ? { ...c.create, as: 'admin', how: 'header' as const, tamper: 'none' as const }
      : c.create
    const plan: Plan = [
      s3(
        'POST',
        `${path}?uploads`,
        [
          ['Content-Type', c.type],
          ['x-amz-checksum-algorithm', c.algorithm],
          ['x-amz-checksum-type', c.checksumType],
        ],
        create,
        { route: 'S3 CreateMultipartUpload' },
      ),
    ]
    const parts = c.ops.map((op): Step => {
      const target = `${path}?partNumber=${op.n}&uploadId=${op.upload}`
      const opts = { transport: op.transport }
      if (op.kind === 'part')
        return s3('PUT', target, [], op.sign, { ...opts, body: op.body, route: 'S3 UploadPart' })
      if (op.kind === 'copy')
        return s3(
          'PUT',
          target,
          [
            ['x-amz-copy-source', op.source],
            ['x-amz-copy-source-range', op.range],
          ],
          op.sign,
          { ...opts, route: 'S3 UploadPartCopy' },
        )
      if (op.kind === 'list')
        return s3('GET', `${path}?uploadId=${op.upload}${op.listQuery}`, [], op.sign, {
          ...opts,
          route: 'S3 ListParts',
        })
      return s3('DELETE', `${path}?uploadId=${op.upload}`, [], op.sign, {
        ...opts,
        route: 'S3 AbortMultipartUpload',
      })
    })
    const half = Math.ceil(parts.length / 2)
    if (c.race === 'parts' && parts.length >= 2)
      plan.push({ parallel: [parts.slice(0, half), parts.slice(half)] })
    else plan.push(...parts)
    const end = c.validEnd
      ? { ...c.endSign, as: 'admin', how: 'header' as const, tamper: 'none' as const }
      : c.endSign
    const complete = (sign: S3Signing) =>
      s3('POST', `${path}?uploadId={s3upload}`, [], sign, {
        body: Buffer.from(c.xml),
        route: 'S3 CompleteMultipartUpload',
        mirror: { object, op: 'change' },
      })
    const abort = (sign: S3Signing) =>
      s3('DELETE', `${path}?uploadId={s3upload}`, [], sign, { route: 'S3 AbortMultipartUpload' })
    const ends = c.end === 'complete' ? [complete(end)] : c.end === 'abort' ? [abort(end)] : []
    if (c.race === 'ends' && ends.length > 0)
      plan.push({ parallel: [ends, [complete(signingValid)], [abort(signingValid)]] })
    else plan.push(...ends)
    plan.push(s3('GET', `/${c.bucket}?uploads`, [], signingValid, { route: 'S3 ListMultipartUploads' }))
    return [...plan, ...verify(c.bucket, c.key)]
  })

/** Browser POST uploads with a signed policy: one fault at a time in the policy, the fields or the form. */
export const s3PostCase: fc.Arbitrary<Plan> = fc
  .record({
    bucket: bucketName,
    key: caseKey,
    as: fc.constantFrom('admin', 'admin', 'scoped', 'reader', 'unknown'),
    fault: postFault,
    successStatus: sometimes(fc.constantFrom('200', '201', '204', 'abc')),
    contentType: sometimes(contentType),
    meta: sometimes(headerValue),
    file: objectBody,
    tamper: fc.oneof(
      { weight: 8, arbitrary: fc.constant<Tamper>('none') },
      { weight: 1, arbitrary: fc.constantFrom<Tamper>('cut', 'length-short', 'length-long') },
    ),
    transport,
  })
  .map((c): Plan => {
    const { successStatus, contentType: type, meta } = c
    const post = {
      bucket: c.bucket,
      key: c.key,
      fault: c.fault,
      ...(successStatus === undefined ? {} : { successStatus }),
      ...(type === undefined ? {} : { contentType: type }),
      ...(meta === undefined ? {} : { meta }),
    }
    const sign: S3Signing = {
      as: c.as,
      how: 'post',
      post,
      payload: 'absent',
      tamper: c.tamper,
      chunkSizes: [1],
    }
    // A `${filename}` key lands elsewhere than the key named: nothing to follow then.
    const mirror =
      c.fault === 'filename-key' ? {} : { mirror: { object: `${c.bucket}/${c.key}`, op: 'write' as const } }
    return [
      s3('POST', `/${c.bucket}`, [], sign, {
        transport: c.transport,
        body: c.file,
        route: 'S3 POST Object /:bucket',
        ...mirror,
      }),
      ...verify(c.bucket, c.key),
    ]
  })

const FIVE_MIB = 5 * 1024 * 1024

/**
 * A multipart upload done right (a 5 MiB part, a short last one, maybe a copied part, in any
 * valid signing form) and then read in every way it can be: parts, ranges, attributes, listings.
 */
export const s3CompletedCase: fc.Arbitrary<Plan> = fc
  .record({
    // fz-quota's limits refuse it part by part; the others take it.
    bucket: fc.constantFrom('fz-open', 'fz-open', 'fz-public', 'fz-quota'),
    key: fc.constantFrom('s3/{case}/joined.bin', 'u1/s3/{case}/joined фото.bin'),
    // As the admin: the case is about joining and reading parts, not about scopes.
    signs: fc.array(
      validSigning.map((sign) => ({ ...sign, as: 'admin' })),
      { minLength: 6, maxLength: 6 },
    ),
    last: objectBody,
    copy: fc.boolean(),
    algorithm: sometimes(fc.constantFrom('CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME')),
    reads: fc.array(
      fc.constantFrom(
        '?partNumber=1',
        '?partNumber=2',
        '?partNumber=3',
        '?partNumber=4',
        '?attributes',
        '?tagging',
        '?uploads',
      ),
      { maxLength: 3 },
    ),
    range: sometimes(rangeHeader),
  })
  .map((c): Plan => {
    const path = `/${c.bucket}/${s3Path(c.key)}`
    const [create, one, two, three, end, read] = c.signs as [
      S3Signing,
      S3Signing,
      S3Signing,
      S3Signing,
      S3Signing,
      S3Signing,
    ]
    const part = (n: number, sign: S3Signing, extra: Partial<Step>) =>
      s3('PUT', `${path}?partNumber=${n}&uploadId={s3upload}`, [], sign, { route: 'S3 UploadPart', ...extra })
    const parts = [
      part(1, one, { body: Buffer.alloc(FIVE_MIB, 0x31) }),
      c.copy
        ? part(2, two, {
            route: 'S3 UploadPartCopy',
            headers: [
              ['x-amz-copy-source', '/fz-open/u1/hello.txt'],
              ['x-amz-copy-source-range', 'bytes=0-2'],
            ],
          })
        : part(2, two, { body: Buffer.alloc(FIVE_MIB, 0x32) }),
      part(3, three, { body: c.last }),
    ]
    const xml = `<CompleteMultipartUpload>${[1, 2, 3].map((n) => `<Part><PartNumber>${n}</PartNumber><ETag>{etag${n}}</ETag></Part>`).join('')}</CompleteMultipartUpload>`
    return [
      s3('POST', `${path}?uploads`, [['x-amz-checksum-algorithm', c.algorithm]], create, {
        route: 'S3 CreateMultipartUpload',
      }),
      ...parts,
      s3('POST', `${path}?uploadId={s3upload}`, [], end, {
        body: Buffer.from(xml),
        route: 'S3 CompleteMultipartUpload',
        mirror: { object: `${c.bucket}/${c.key}`, op: 'change' },
      }),
      ...c.reads.map((query) =>
        s3('GET', `${path}${query}`, [['x-amz-checksum-mode', 'ENABLED']], read, {
          route: `GET S3 ${query.split('=')[0]}`,
        }),
      ),
      s3('HEAD', path, [['Range', c.range]], read, { route: 'HEAD S3 /:bucket/* (joined)' }),
      ...verify(c.bucket, c.key),
    ]
  })

/** The S3 cases, as the fuzzer weighs them against the API's. */
export const s3Case: fc.Arbitrary<Plan> = fc.oneof(
  { weight: 5, arbitrary: s3ObjectCase },
  { weight: 2, arbitrary: s3BucketCase },
  { weight: 3, arbitrary: s3MultipartCase },
  { weight: 2, arbitrary: s3PostCase },
  { weight: 1, arbitrary: s3CompletedCase },
)
