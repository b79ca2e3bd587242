import fc from 'fast-check'
import { authorization, bucketName, contentType, objectBody, objectKey } from './inputs.ts'
import type { Op, Plan, Step } from './plan.ts'
import { step, transport } from './plan.ts'

const FORM = 'POST /v1/buckets/:bucket/objects'

const formPart = fc.record({
  name: fc.option(fc.constantFrom('file', 'file', 'file', 'key', 'prefix', 'other', 'фото', '')),
  filename: fc.option(
    fc.constantFrom('a.txt', 'фото.png', '../../escape.txt', '', 'a"b', 'x'.repeat(300), 'u1/x'),
  ),
  type: fc.option(contentType),
  key: objectKey,
  body: objectBody,
})

type FormPart = typeof formPart extends fc.Arbitrary<infer T> ? T : never

/** A multipart part as a browser writes it; a part without `name` leaves the parameter out. */
function partBytes(boundary: string, part: FormPart): Buffer {
  const disposition = ['form-data']
  if (part.name !== null) disposition.push(`name="${part.name}"`)
  if (part.filename !== null) disposition.push(`filename="${part.filename}"`)
  const head = [`--${boundary}`, `Content-Disposition: ${disposition.join('; ')}`]
  if (part.type !== null) head.push(`Content-Type: ${part.type}`)
  const field = part.name === 'key' || part.name === 'prefix'
  const value = field && part.filename === null ? Buffer.from(part.key) : part.body
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), value, Buffer.from('\r\n')])
}

/** Multipart forms: missing names, fields after files, two files, no closing boundary, cut short. */
export const formCase: fc.Arbitrary<Plan> = fc
  .record({
    bucket: bucketName,
    auth: authorization,
    transport,
    parts: fc.array(formPart, { minLength: 0, maxLength: 3 }),
    header: fc.constantFrom('ok', 'ok', 'ok', 'no-boundary', 'other-boundary', 'urlencoded', 'none'),
    closing: fc.boolean(),
    cut: fc.option(fc.double({ min: 0.05, max: 0.95, noNaN: true })),
    cutMode: fc.constantFrom('fin', 'short-length'),
  })
  .map((c): Plan => {
    const boundary = '----fuzzboundary7MA4YWxkTrZu0gW'
    const chunks = c.parts.map((p) => partBytes(boundary, p))
    if (c.closing) chunks.push(Buffer.from(`--${boundary}--\r\n`))
    let body = Buffer.concat(chunks)
    const type = {
      ok: `multipart/form-data; boundary=${boundary}`,
      'no-boundary': 'multipart/form-data',
      'other-boundary': 'multipart/form-data; boundary=zzz',
      urlencoded: 'application/x-www-form-urlencoded',
      none: undefined,
    }[c.header]
    const extra: Partial<Step> = {}
    if (c.cut !== null) {
      // Cut in the last part (the second file of a two-file form), either way a body can end early.
      const last = chunks.slice(0, -1).reduce((n, b) => n + b.length, 0)
      const at = Math.floor(last + (body.length - last) * c.cut)
      if (c.cutMode === 'fin') extra.cutAt = at
      else body = body.subarray(0, at)
    }
    const target = `/v1/buckets/${c.bucket}/objects`
    return [
      step(FORM, 'POST', target, [['Content-Type', type]], {
        auth: c.auth,
        transport: c.transport,
        body,
        ...extra,
      }),
    ]
  })

const b64 = (text: string) => Buffer.from(text).toString('base64')

const metadata = fc
  .record({
    bucket: bucketName,
    naming: fc.constantFrom('key', 'key', 'filename', 'filename+prefix', 'none'),
    // Keys with a segment past the fs driver's 255 bytes, which creation may accept and finishing refuse.
    key: fc.oneof(
      { weight: 4, arbitrary: objectKey },
      {
        weight: 1,
        arbitrary: fc.constantFrom(`u1/${'a'.repeat(256)}.txt`, `${'я'.repeat(130)}/x`, 'u1/фото.txt'),
      },
    ),
    filename: fc.constantFrom('a.txt', 'фото.txt', '../x', 'x'.repeat(300), ''),
    contentType: fc.option(fc.oneof(contentType, fc.constant('text/plain; charset=фото'))),
    odd: fc.oneof(
      { weight: 6, arbitrary: fc.constant('') },
      {
        weight: 4,
        arbitrary: fc.constantFrom(',contentType', ',key !!!', ', ,', ',bucket Zm9v', ',фото eA==', ',,'),
      },
    ),
  })
  .map((m) => {
    const pairs = [`bucket ${b64(m.bucket)}`]
    if (m.naming === 'key') pairs.push(`key ${b64(m.key)}`)
    if (m.naming.startsWith('filename')) pairs.push(`filename ${b64(m.filename)}`)
    if (m.naming === 'filename+prefix') pairs.push(`prefix ${b64(m.key)}`)
    const type = m.contentType === null ? [] : [`contentType ${b64(m.contentType)}`]
    // `plain`: the same bucket, key and type, well-formed (for the well-formed flows).
    const plain = [`bucket ${b64(m.bucket)}`, `key ${b64(m.key)}`, ...type].join(',')
    return { text: [...pairs, ...type].join(',') + m.odd, plain, bucket: m.bucket }
  })

const UPLOAD = '/v1/uploads/:id'
const trick = fc.constantFrom(
  '/v1/uploads/{upload}',
  '/v1/uploads/{upload}',
  '/v1/uploads/{upload}',
  '/v1/uploads/{upload}?x=/{upload0}',
  '/v1/uploads/{upload}/',
  '/v1/uploads//{upload}',
  '/v1/uploads/{upload}%2F..%2F{upload0}',
  '/v1/uploads/{upload}/..',
  '/v1/uploads/{upload}?id=../x',
  '/v1/uploads/00000000000000000000000000000000',
  '/v1/uploads/{upload0}',
)

/** The same case with valid tus headers, plain targets and offsets that follow the bytes sent. */
function wellFormed<
  C extends {
    auth: string
    resumable?: string | undefined
    concat: string | null
    ops: Array<Record<string, unknown>>
  },
>(c: C): C {
  const ops = c.ops.map((op, i) => ({
    ...op,
    verb: op.verb === 'PATCH' || i === c.ops.length - 1 ? 'PATCH' : op.verb,
    target: '/v1/uploads/{upload}',
    offset: 'planned',
    type: 'application/offset+octet-stream',
    share: i === c.ops.length - 1 ? 1 : op.share,
  }))
  // As the admin: the flow is not about permissions (other cases are), it is about reaching the end.
  return { ...c, auth: 'Bearer {token:admin}', resumable: '1.0.0', concat: null, victim: false, ops }
}

/**
 * tus: a creation (deferred length, concatenation, odd metadata, a body with the creation), maybe
 * after a victim's upload, then PATCH, HEAD, DELETE and OPTIONS with path and query tricks, some
 * of them side by side.
 */
export const tusCase: fc.Arbitrary<Plan> = fc
  .record({
    auth: authorization,
    transport,
    victim: fc.boolean(),
    resumable: fc.constantFrom('1.0.0', '1.0.0', '1.0.0', '1.0.0', '1.0.0', '0.2.2', undefined),
    size: fc.oneof(fc.nat(3000), fc.constantFrom(0, 5, 2049, 9000)),
    lengthText: fc.constantFrom(
      'size',
      'size',
      'size',
      'defer',
      '-1',
      '1e400',
      'abc',
      '9007199254740993',
      ' 5',
    ),
    // Mostly without: a concatenation request is refused before anything else is looked at.
    concat: fc.oneof(
      { weight: 8, arbitrary: fc.constant(null) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'partial',
          'final;/v1/uploads/a /v1/uploads/b',
          'final;{upload0}',
          'garbage',
        ),
      },
    ),
    metadata,
    withBody: fc.boolean(),
    ops: fc.array(
      fc.record({
        verb: fc.constantFrom('PATCH', 'PATCH', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS', 'GET'),
        target: trick,
        offset: fc.constantFrom(
          'planned',
          'planned',
          'planned',
          'planned',
          'runtime',
          'runtime',
          '0',
          '-1',
          'abc',
          '99999',
        ),
        type: fc.constantFrom(
          'application/offset+octet-stream',
          'application/offset+octet-stream',
          'text/plain',
          undefined,
        ),
        share: fc.constantFrom(1, 1, 0.5, 0, 2),
        declare: fc.constantFrom(true, true, true, false),
      }),
      { maxLength: 4 },
    ),
    parallel: fc.boolean(),
    // A well-formed flow (only the metadata, lengths and the bucket fuzzed) reaches the finish of an
    // upload, where bytes are stored and a refusal must not take the process down.
    happy: fc.boolean(),
  })
  .map((raw): Plan => {
    const c = raw.happy ? wellFormed(raw) : raw
    const tus = (v: string | undefined): [string, string | undefined] => ['Tus-Resumable', v]
    const plan: Op[] = []
    if (c.victim) {
      const meta = `bucket ${b64('fz-types')},key ${b64('u1/victim.txt')},contentType ${b64('text/plain')}`
      const headers: Array<[string, string]> = [
        tus('1.0.0') as [string, string],
        ['Upload-Length', '4'],
        ['Upload-Metadata', meta],
      ]
      plan.push(step(`POST /v1/uploads`, 'POST', '/v1/uploads', headers, { auth: 'Bearer {token:writer}' }))
    }
    const defer = c.lengthText === 'defer'
    const first = c.withBody ? Math.min(c.size, 64) : 0
    plan.push(
      step(
        'POST /v1/uploads',
        'POST',
        '/v1/uploads',
        [
          tus(c.resumable),
          ['Upload-Length', defer ? undefined : c.lengthText === 'size' ? String(c.size) : c.lengthText],
          ['Upload-Defer-Length', defer ? '1' : undefined],
          ['Upload-Concat', c.concat ?? undefined],
          ['Upload-Metadata', c.happy ? c.metadata.plain : c.metadata.text],
          ['Content-Type', c.withBody ? 'application/offset+octet-stream' : undefined],
        ],
        { auth: c.auth, transport: c.transport, ...(c.withBody ? { body: Buffer.alloc(first, 0x62) } : {}) },
      ),
    )
    let planned = first
    const steps = c.ops.map((op): Step => {
      const bytes = op.verb === 'PATCH' ? Math.max(0, Math.round((c.size - planned) * op.share)) : 0
      const offset =
        op.offset === 'planned' ? String(planned) : op.offset === 'runtime' ? '{offset}' : op.offset
      planned += bytes
      const headers: Array<[string, string | undefined]> = [tus(c.resumable)]
      if (op.verb === 'PATCH') {
        headers.push(['Upload-Offset', offset], ['Content-Type', op.type])
        if (defer && op.declare) headers.push(['Upload-Length', String(c.size)])
      }
      const body = op.verb === 'PATCH' ? { body: Buffer.alloc(bytes, 0x61) } : {}
      return step(`${op.verb} ${UPLOAD}`, op.verb, op.target, headers, {
        auth: c.auth,
        transport: c.transport,
        ...body,
      })
    })
    if (c.parallel && steps.length >= 2) {
      const half = Math.ceil(steps.length / 2)
      plan.push({ parallel: [steps.slice(0, half), steps.slice(half)] })
    } else plan.push(...steps)
    // What the upload stored must serve (a type accepted at creation must not break GET or HEAD).
    const object = `/v1/buckets/${c.metadata.bucket}/objects/{stored}`
    for (const method of ['GET', 'HEAD']) {
      plan.push(
        step(`${method} /v1/buckets/:bucket/objects/*`, method, object, [], { auth: 'Bearer {token:admin}' }),
      )
    }
    return plan
  })
