import fc from 'fast-check'
import {
  authorization,
  contentType,
  numberText,
  objectBody,
  objectKey,
  queryNumber,
  sometimes,
} from './inputs.ts'
import { json, type Plan, query, step, transport } from './plan.ts'

const ADMIN = 'Bearer {token:admin}'

// Mostly valid policies with one odd field, so that buckets get created and then used.
const policyFields = fc.record({
  public: sometimes(fc.constantFrom('true', 'false', 'false', '1', '"yes"', 'null')),
  maxFileSize: sometimes(numberText, 2),
  allowedTypes: sometimes(
    fc.oneof(
      fc.constantFrom(
        '["image/*"]',
        '[]',
        '"image/*"',
        '["фото"]',
        '[1]',
        'null',
        '["image/png;,text/html"]',
      ),
      fc.array(contentType, { maxLength: 3 }).map((types) => JSON.stringify(types)),
    ),
  ),
  quotaBytes: sometimes(numberText, 2),
  quotaObjects: sometimes(numberText, 2),
  bogus: sometimes(fc.constantFrom('1', '"x"'), 8),
})

const fieldsText = (fields: Record<string, string | undefined>) =>
  Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `"${name}":${value}`)

/**
 * A bucket of the case's own (`fzc-<case>`) created and patched with odd policies (huge, negative,
 * fractional numbers, wrong types), then used: an upload, its listing, its usage, its deletion.
 */
export const bucketCase: fc.Arbitrary<Plan> = fc
  .record({
    create: policyFields,
    patches: fc.array(policyFields, { maxLength: 2 }),
    auth: fc.oneof({ weight: 4, arbitrary: fc.constant(ADMIN) }, { weight: 1, arbitrary: authorization }),
    key: objectKey,
    body: objectBody,
    type: contentType,
    days: queryNumber,
    transport,
  })
  .map((c): Plan => {
    const target = '/v1/buckets/fzc-{case}'
    const opts = { auth: c.auth, transport: c.transport }
    const created = json(`{${['"name":"fzc-{case}"', ...fieldsText(c.create)].join(',')}}`)
    const plan: Plan = [
      step('POST /v1/buckets', 'POST', '/v1/buckets', created.headers, { ...opts, body: created.body }),
    ]
    for (const patch of c.patches) {
      const body = json(`{${fieldsText(patch).join(',')}}`)
      plan.push(
        step('PATCH /v1/buckets/:bucket', 'PATCH', target, body.headers, { ...opts, body: body.body }),
      )
    }
    const object = `${target}/objects/${encodeURIComponent(c.key.isWellFormed() ? c.key : 'k')}`
    plan.push(
      step('PUT /v1/buckets/:bucket/objects/*', 'PUT', object, [['Content-Type', c.type]], {
        auth: ADMIN,
        body: c.body,
      }),
      step('GET /v1/buckets/:bucket', 'GET', target, [], opts),
      step('GET /v1/buckets/:bucket/usage', 'GET', `${target}/usage${query({ days: c.days })}`, [], opts),
      step('GET /v1/buckets/:bucket/objects', 'GET', `${target}/objects?limit=5`, [], opts),
      step('DELETE /v1/buckets/:bucket/objects/*', 'DELETE', object, [], { auth: ADMIN }),
      step('DELETE /v1/buckets/:bucket', 'DELETE', target, [], opts),
    )
    return plan
  })

const scopeText = fc.oneof(
  fc.constantFrom(
    '{"bucket":"fz-open","prefix":"u1/","permissions":["read"]}',
    '{"bucket":"*","permissions":["admin"]}',
    '{"bucket":"fz-open","prefix":"../","permissions":["read"]}',
    '{"bucket":"fz-open","prefix":"\\u0000","permissions":["read"]}',
    '{"bucket":"FZ","permissions":["read"]}',
    '{"bucket":"fz-open","permissions":[]}',
    '{"bucket":"fz-open","permissions":["root"]}',
    '"fz-open:read"',
    'null',
    '1',
  ),
  objectKey.map((p) => `{"bucket":"fz-open","prefix":${JSON.stringify(p)},"permissions":["read","write"]}`),
)

/** API keys (odd scopes and dates), the audit trail, usage, reconcile, metrics and unknown routes. */
export const adminCase: fc.Arbitrary<Plan> = fc
  .record({
    auth: fc.oneof({ weight: 3, arbitrary: fc.constant(ADMIN) }, { weight: 1, arbitrary: authorization }),
    transport,
    kind: fc.constantFrom('key', 'revoke', 'audit', 'usage', 'reconcile', 'misc', 'json'),
    name: fc.constantFrom('"k"', '""', '"фото"', `"${'n'.repeat(300)}"`, '1', 'null'),
    scopes: fc.array(scopeText, { maxLength: 3 }),
    expiresAt: fc.option(
      fc.constantFrom(
        '"2099-01-01T00:00:00Z"',
        '"2000-01-01T00:00:00Z"',
        '"+275760-09-13T00:00:00.000Z"',
        '"garbage"',
        '0',
      ),
    ),
    // Not `env-admin`: revoking the admin key locks the fuzzer out, as it should.
    id: fc.constantFrom('nope', 'fuzz', '%00', 'x'.repeat(200), 'фото', '..'),
    limit: queryNumber,
    cursor: fc.constantFrom('', 'zzz', '%', 'x'.repeat(100), 'фото'),
    days: queryNumber,
    bucket: fc.constantFrom('"fz-open"', '"nope-none"', '"FZ"', '1', 'null', '"фото"'),
    misc: fc.constantFrom(
      '/readyz',
      '/metrics',
      '/docs',
      '/docs/json',
      '/',
      '/nope',
      '/v1',
      '/v1/buckets/%ZZ',
      '/v1/nope?x=%',
    ),
    junk: fc.constantFrom(
      '{',
      '[]',
      'null',
      '"x"',
      '['.repeat(5000),
      '\uFEFF{}',
      '{"a":1,"a":2}',
      `{"name":"${'x'.repeat(1_100_000)}"}`,
    ),
    junkType: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
    ),
    junkRoute: fc.constantFrom(
      '/v1/buckets',
      '/v1/keys',
      '/v1/reconcile',
      '/v1/buckets/fz-open/delete',
      '/v1/buckets/fz-open/sign',
      '/v1/buckets/fz-open/render-urls',
    ),
  })
  .map((c): Plan => {
    const opts = { auth: c.auth, transport: c.transport }
    switch (c.kind) {
      case 'key': {
        const fields = [`"name":${c.name}`, `"scopes":[${c.scopes.join(',')}]`]
        if (c.expiresAt !== null) fields.push(`"expiresAt":${c.expiresAt}`)
        const body = json(`{${fields.join(',')}}`)
        return [step('POST /v1/keys', 'POST', '/v1/keys', body.headers, { ...opts, body: body.body })]
      }
      case 'revoke':
        return [
          step('DELETE /v1/keys/:id', 'DELETE', `/v1/keys/${c.id}`, [], opts),
          step('GET /v1/keys', 'GET', '/v1/keys', [], opts),
        ]
      case 'audit':
        return [
          step('GET /v1/audit', 'GET', `/v1/audit${query({ limit: c.limit, cursor: c.cursor })}`, [], opts),
        ]
      case 'usage':
        return [step('GET /v1/usage', 'GET', `/v1/usage${query({ days: c.days })}`, [], opts)]
      case 'reconcile': {
        const body = json(`{"bucket":${c.bucket}}`)
        return [
          step('POST /v1/reconcile', 'POST', '/v1/reconcile', body.headers, { ...opts, body: body.body }),
        ]
      }
      case 'misc':
        return [step(`GET ${c.misc.split('?')[0]}`, 'GET', c.misc, [['Accept', 'text/html']], opts)]
      default: {
        const body = Buffer.from(c.junk)
        return [
          step(`POST ${c.junkRoute}`, 'POST', c.junkRoute, [['Content-Type', c.junkType]], { ...opts, body }),
        ]
      }
    }
  })

const RAW = [
  'GARBAGE\r\n\r\n',
  'GET / HTTP/1.1\r\n\r\n',
  'GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET  /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /v1/buckets/%zz/objects/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\n\r\n',
  'GET /v1/buckets/fz-open/objects/%E0%A4%A HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\n\r\n',
  'GET /v1/buckets/fz-open/objects/%ZZ%00 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\n\r\n',
  'GET /v1/buckets/fz-open/objects/a%2F..%2F..%2F..%2Fsentinel%2Fcanary.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\n\r\n',
  'GET http://evil.example/v1/buckets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\n\r\n',
  'GET * HTTP/1.1\r\nHost: x\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
  'CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: x\r\n\r\n',
  `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
  `GET /healthz HTTP/1.1\r\nHost: x\r\n${'X-Many: 1\r\n'.repeat(3000)}\r\n`,
  `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
  'GET /healthz HTTP/1.1\nHost: x\n\n',
  'GET /healthz HTTP/1.1\r\nX A: b\r\n\r\n',
  'GET /healthz HTTP/1.0\r\n\r\n',
  'get /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: фото\r\n\r\n',
  'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: x-unknown\r\n\r\n',
  'PUT /v1/buckets/fz-open/objects/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nExpect: x-unknown\r\nContent-Length: 1\r\n\r\nx',
  'PUT /v1/buckets/fz-open/objects/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy',
  'PUT /v1/buckets/fz-open/objects/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
  'PUT /v1/buckets/fz-open/objects/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nx\r\n0\r\n\r\n',
  'PUT /v1/buckets/fz-open/objects/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n',
  'PUT /v1/buckets/fz-open/objects/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nContent-Length: -1\r\n\r\n',
  'PUT /v1/buckets/fz-open/objects/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nContent-Length: 99999999999999999999\r\n\r\nabc',
  'PUT /v1/buckets/fz-open/objects/фото.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nContent-Length: 2\r\nContent-Type: text/plain; name=фото\r\nx-coffer-meta-a: фото\r\n\r\nhi',
  'POST /v1/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 1\r\nUpload-Metadata: bucket Zm9v,key фото\r\n\r\n',
  'DELETE /v1/buckets/fz-open/objects/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nContent-Length: 5\r\n\r\nhello',
  // Writes aimed at the sentinel dir beside the data dir, through encoded and raw dot segments.
  'PUT /v1/buckets/fz-open/objects/%2e%2e/%2e%2e/%2e%2e/%2e%2e/sentinel/planted.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nContent-Length: 1\r\n\r\nx',
  'PUT /v1/buckets/fz-open/objects/..%2F..%2F..%2F..%2Fsentinel%2Fplanted.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nContent-Length: 1\r\n\r\nx',
  'PUT /v1/buckets/../../sentinel/objects/planted.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token:admin}\r\nContent-Length: 1\r\n\r\nx',
]

/** Malformed HTTP on a raw connection: request lines, percent-encoding, huge headers, framing. */
export const rawCase: fc.Arbitrary<Plan> = fc.constantFrom(...RAW).map((text): Plan => {
  const line = text.split(/\r?\n/)[0] ?? ''
  const [method = '?', target = '?'] = line.split(' ')
  return [
    step(`RAW ${line.slice(0, 60)}`, method, target.slice(0, 200), [], {
      transport: 'raw',
      raw: Buffer.from(text, 'utf8'),
    }),
  ]
})
