import fc from 'fast-check'
import {
  authorization,
  bucketName,
  contentType,
  headerValue,
  keyEncoding,
  keyPath,
  numberText,
  objectBody,
  objectKey,
  queryNumber,
  rangeHeader,
  sometimes,
} from './inputs.ts'
import { json, type Plan, query, type Step, step, transport } from './plan.ts'

const OBJECT = '/v1/buckets/:bucket/objects/*'

// Each header mostly absent, so that one odd header at a time meets a request that is otherwise valid.
const putHeaders = fc.record({
  contentType: sometimes(contentType, 1),
  meta: sometimes(
    fc.tuple(
      fc.constantFrom('x-coffer-meta-a', 'x-coffer-meta-фото', 'x-coffer-meta-', 'x-coffer-meta-A_b'),
      headerValue,
    ),
  ),
  disposition: sometimes(
    fc.constantFrom(
      'attachment; filename="a.txt"',
      'inline',
      "attachment; filename*=UTF-8''%D1%84.txt",
      'inline; filename="фото.txt"',
      'attachment; filename="a\\"b"',
      'x'.repeat(2000),
    ),
  ),
  cacheControl: sometimes(headerValue),
  ifNoneMatch: sometimes(fc.constantFrom('*', '"abc"', 'W/"x"', '')),
  expect: sometimes(fc.constantFrom('100-continue', 'x-weird', '100-continue, foo'), 6),
})

const readHeaders = fc.record({
  range: sometimes(rangeHeader, 2),
  ifNoneMatch: sometimes(fc.constantFrom('*', '"abc"', 'W/"x", "y"', '""', 'фото')),
  ifModifiedSince: sometimes(
    fc.constantFrom('Thu, 01 Jan 1970 00:00:00 GMT', 'garbage', '+275760-09-13T00:00:00.000Z'),
  ),
  accept: sometimes(fc.constantFrom('text/html', '*/*', 'application/json')),
})

/** One key, one to four requests on it (PUT, GET, HEAD, DELETE and odd methods), each with odd headers. */
export const objectCase: fc.Arbitrary<Plan> = fc
  .record({
    bucket: bucketName,
    key: objectKey,
    encoding: keyEncoding,
    auth: authorization,
    ops: fc.array(
      fc.record({
        method: fc.constantFrom('PUT', 'PUT', 'GET', 'HEAD', 'DELETE', 'POST', 'OPTIONS', 'PATCH'),
        put: putHeaders,
        read: readHeaders,
        body: objectBody,
        download: fc.boolean(),
        transport,
        latin1: fc.boolean(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ bucket, key, encoding, auth, ops }) =>
    ops.map((op): Step => {
      const target = `/v1/buckets/${bucket}/objects/${keyPath(key, encoding)}`
      const wire = { auth, transport: op.transport, latin1: op.latin1 && op.transport === 'raw' }
      if (op.method === 'PUT' || op.method === 'POST' || op.method === 'PATCH') {
        const h = op.put
        return step(
          `${op.method} ${OBJECT}`,
          op.method,
          target,
          [
            ['Content-Type', h.contentType],
            [h.meta?.[0] ?? 'x-coffer-meta-none', h.meta?.[1]],
            ['Content-Disposition', h.disposition],
            ['Cache-Control', h.cacheControl],
            ['If-None-Match', h.ifNoneMatch],
            ['Expect', h.expect],
          ],
          { ...wire, body: op.body },
        )
      }
      const h = op.read
      const headers: Array<[string, string | undefined]> = [
        ['Range', h.range],
        ['If-None-Match', h.ifNoneMatch],
        ['If-Modified-Since', h.ifModifiedSince],
        ['Accept', h.accept],
      ]
      return step(
        `${op.method} ${OBJECT}`,
        op.method,
        `${target}${op.download ? '?download' : ''}`,
        headers,
        wire,
      )
    }),
  )

const listQuery = fc.record({
  prefix: sometimes(objectKey),
  delimiter: sometimes(fc.constantFrom('/', '', 'фото', 'x'.repeat(20))),
  cursor: sometimes(fc.constantFrom('', 'garbage', '%%%', 'eyJrIjoiYSJ9', 'x'.repeat(5000), 'фото')),
  limit: sometimes(queryNumber, 1),
  sort: sometimes(fc.constantFrom('name', 'size', 'modified', 'type', 'bogus')),
  order: sometimes(fc.constantFrom('asc', 'desc', 'up')),
  type: sometimes(fc.constantFrom('image/*', 'text/plain,image/png', ',,', '*', 'фото/*')),
  minSize: sometimes(queryNumber),
  maxSize: sometimes(queryNumber),
  modifiedAfter: sometimes(
    fc.constantFrom('2020-01-01T00:00:00Z', 'garbage', '+275760-09-13T00:00:00.000Z', '1e400'),
  ),
  q: sometimes(fc.constantFrom('a', '%', '_', "'", 'фото', '\u0000')),
  source: sometimes(fc.constantFrom('index', 'store', 'both')),
})

const keyJson = objectKey.map((k) => JSON.stringify(k))

/** Listings with odd query strings, batch deletes, copies, moves, signed URLs and their use. */
export const collectionCase: fc.Arbitrary<Plan> = fc
  .record({
    bucket: bucketName,
    auth: authorization,
    transport,
    kind: fc.constantFrom('list', 'delete', 'copy', 'move', 'sign', 'public'),
    list: listQuery,
    rawQuery: fc.boolean(),
    keys: fc.array(keyJson, { minLength: 0, maxLength: 3 }),
    // Often a seeded object, so that a signed GET reaches the headers its pins set.
    from: fc.oneof(keyJson, fc.constant('"u1/hello.txt"')),
    to: keyJson,
    sign: fc.record({
      method: fc.constantFrom('"GET"', '"PUT"', '"DELETE"', '1'),
      expiresIn: numberText,
      contentType: fc.option(contentType.map((t) => JSON.stringify(t))),
      disposition: fc.option(
        fc.constantFrom('"inline"', '"attachment; filename=\\"фото.txt\\""', '"x\\r\\ny"', '1'),
      ),
      use: fc.constantFrom('GET', 'PUT', 'HEAD', 'DELETE'),
      tamper: fc.constantFrom(
        '',
        '&X-Coffer-Signature=AAAA',
        '&X-Coffer-Expires=99999999999999999999',
        '%',
        '&&',
      ),
    }),
    body: objectBody,
  })
  .map((c): Plan => {
    const base = `/v1/buckets/${c.bucket}`
    const opts = { auth: c.auth, transport: c.transport }
    const post = (name: string, text: string) => {
      const { body, headers } = json(text)
      return step(`POST /v1/buckets/:bucket/${name}`, 'POST', `${base}/${name}`, headers, { ...opts, body })
    }
    if (c.kind === 'list') {
      const { source, ...rest } = c.list
      const target = `${base}/objects${query({ ...rest, source }, c.rawQuery)}`
      return [step('GET /v1/buckets/:bucket/objects', 'GET', target, [], opts)]
    }
    if (c.kind === 'delete') {
      const text = c.keys.length > 0 ? `{"keys":[${c.keys.join(',')}]}` : `{"prefix":${c.from}}`
      return [post('delete', text)]
    }
    if (c.kind === 'copy' || c.kind === 'move') return [post(c.kind, `{"from":${c.from},"to":${c.to}}`)]
    if (c.kind === 'public') {
      const key = JSON.parse(c.from) as string
      const target = `/public/fz-public/${keyPath(key, 'segments')}`
      return [
        step('GET /public/:bucket/*', 'GET', `${target}?download`, [], { transport: c.transport }),
        step('HEAD /public/:bucket/*', 'HEAD', target, [], { transport: c.transport }),
      ]
    }
    const s = c.sign
    const fields = [`"key":${c.from}`, `"method":${s.method}`, `"expiresIn":${s.expiresIn}`]
    if (s.contentType !== null) fields.push(`"contentType":${s.contentType}`)
    if (s.disposition !== null) fields.push(`"contentDisposition":${s.disposition}`)
    const use = step(
      `${s.use} /signed/:bucket/*`,
      s.use,
      `{signed}${s.tamper}`,
      [['Content-Type', 'text/plain']],
      {
        transport: c.transport,
        ...(s.use === 'PUT' ? { body: c.body } : {}),
      },
    )
    return [post('sign', `{${fields.join(',')}}`), use]
  })
