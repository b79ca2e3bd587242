import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { filesUnder } from './harness.ts'
import { type Started, startProcess } from './spawned-service.ts'

/**
 * Exports and object expiry over HTTP against a spawned Coffer (fs + SQLite), with the expiry sweep
 * running every second. Row counts stay small here; bench/exports-rss.mjs writes a million.
 */
describe('exports and object expiry (spawned service)', () => {
  const adminKey = `admin-${randomBytes(24).toString('hex')}`
  let dataDir = ''
  let service: Started
  let projectToken = ''

  const call = (path: string, init: RequestInit = {}, token = adminKey) => {
    const headers = new Headers(init.headers)
    headers.set('authorization', `Bearer ${token}`)
    return fetch(service.url + path, { ...init, headers })
  }
  const ndjson = (rows: unknown[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('')
  const exportRows = (options: object, body: BodyInit, token = projectToken) =>
    call(
      `/v1/exports?options=${encodeURIComponent(JSON.stringify(options))}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body,
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit,
      token,
    )
  const listed = async (bucket: string, source: 'index' | 'store') => {
    const response = await call(`/v1/buckets/${bucket}/objects?source=${source}`)
    expect(response.status).toBe(200)
    return ((await response.json()) as { objects: { key: string }[] }).objects.map((o) => o.key)
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'coffer-exports-'))
    service = await startProcess({
      COFFER_DATA_DIR: dataDir,
      COFFER_ADMIN_KEY: adminKey,
      COFFER_EXPIRY_SWEEP_SECONDS: '1',
    })
    const created = await call('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'project 42',
        scopes: [{ bucket: 'exports', prefix: 'projects/42/', permissions: ['write'] }],
      }),
    })
    expect(created.status).toBe(201)
    projectToken = ((await created.json()) as { token: string }).token
  })

  afterAll(async () => {
    if (service?.child.exitCode === null) {
      service.child.kill('SIGTERM')
      await service.exited
    }
    if (dataDir !== '') await rm(dataDir, { recursive: true, force: true })
  })

  it('streams NDJSON rows into a CSV in the caller folder and answers a signed download link', async () => {
    const rows = [
      { name: 'Ada', total: 12.5 },
      { name: '=cmd|calc', total: -3 },
      { name: 'Жанна', total: 0 },
    ]
    const response = await exportRows(
      { format: 'csv', filename: 'Отчёт за май', expiresIn: 3600 },
      ndjson(rows),
    )
    expect(response.status).toBe(201)
    const result = (await response.json()) as {
      key: string
      size: number
      url: string
      expiresAt: string
      rows: number
    }
    expect(result.key).toMatch(/^projects\/42\/[0-9a-z]{26}-otchyot-za-may\.csv$/)
    expect(result.rows).toBe(3)
    expect(Date.parse(result.expiresAt) - Date.now()).toBeGreaterThan(3500_000)
    const download = await fetch(result.url)
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('text/csv;charset=utf-8')
    expect(download.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('Отчёт за май.csv')}`,
    )
    const bytes = Buffer.from(await download.arrayBuffer())
    expect(bytes.length).toBe(result.size)
    expect(parse(bytes, { bom: true, columns: true })).toEqual([
      { name: 'Ada', total: '12.5' },
      { name: "'=cmd|calc", total: '-3' },
      { name: 'Жанна', total: '0' },
    ])
  })

  it('writes an xlsx from a streamed body, with typed cells', async () => {
    const encoder = new TextEncoder()
    let i = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i === 300) return controller.close()
        controller.enqueue(encoder.encode(ndjson([{ n: i, at: '2025-05-01T00:00:00Z', ok: i % 2 === 0 }])))
        i += 1
      },
    })
    const options = { format: 'xlsx', filename: 'numbers', columns: ['n', { key: 'at', type: 'date' }, 'ok'] }
    const response = await exportRows(options, body)
    expect(response.status).toBe(201)
    const { url } = (await response.json()) as { url: string }
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(await (await fetch(url)).arrayBuffer())
    const sheet = workbook.worksheets[0]
    if (sheet === undefined) throw new Error('no sheet')
    expect(sheet.rowCount).toBe(301)
    expect((sheet.getRow(301).values as unknown[]).slice(1)).toEqual([
      299,
      new Date('2025-05-01T00:00:00Z'),
      false,
    ])
  })

  it('refuses a bad line, bad options and a foreign folder, storing nothing', async () => {
    const before = await listed('exports', 'store')
    const bad = await exportRows({ format: 'pdf', filename: 'x' }, `${ndjson([{ a: 1 }])}{"a": nope}\n`)
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ code: 'InvalidArgument', detail: 'line 2 is not valid JSON' })
    const unknownFormat = await exportRows({ format: 'docx', filename: 'x' }, ndjson([{ a: 1 }]))
    expect(unknownFormat.status).toBe(400)
    const documentsKey = await call('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'docs', scopes: [{ bucket: 'documents', permissions: ['write'] }] }),
    })
    const { token } = (await documentsKey.json()) as { token: string }
    const denied = await exportRows({ format: 'csv', filename: 'x' }, ndjson([{ a: 1 }]), token)
    expect(denied.status).toBe(403)
    expect(await listed('exports', 'store')).toEqual(before)
  })

  it('stops serving and listing an expired object at once, then the sweep deletes it', async () => {
    const put = (key: string, headers: Record<string, string> = {}) =>
      call(`/v1/buckets/documents/objects/${key}`, { method: 'PUT', headers, body: `bytes of ${key}` })
    expect((await put('keep.txt')).status).toBe(200)
    expect((await put('brief.txt', { 'x-coffer-expires': '2' })).status).toBe(200)
    expect((await put('bad.txt', { 'x-coffer-expires': 'tomorrow' })).status).toBe(400)
    const signed = await call('/v1/buckets/documents/sign', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'brief.txt', method: 'GET', expiresIn: 600 }),
    })
    expect(signed.status).toBe(200)
    const { url } = (await signed.json()) as { url: string }
    expect((await fetch(url)).status).toBe(200)
    expect(await listed('documents', 'index')).toContain('brief.txt')

    // Once its time has passed, every way of reading it finds nothing, sweep or no sweep.
    await expect.poll(async () => (await call('/v1/buckets/documents/objects/brief.txt')).status).toBe(404)
    expect((await call('/v1/buckets/documents/objects/brief.txt', { method: 'HEAD' })).status).toBe(404)
    expect((await fetch(url)).status).toBe(404)
    expect(await listed('documents', 'index')).toEqual(['keep.txt'])
    expect(await listed('documents', 'store')).toEqual(['keep.txt'])

    // The sweep deletes it from the store and the index, with an audit event.
    const expiries = async () => {
      const audit = await call('/v1/audit?bucket=documents&action=object.expire')
      return ((await audit.json()) as { events: { key: string; actor: string }[] }).events
    }
    await expect.poll(expiries).toEqual([expect.objectContaining({ key: 'brief.txt', actor: 'system' })])
    const files = await filesUnder(dataDir)
    expect(files.some((f) => f.includes('keep.txt'))).toBe(true)
    expect(files.some((f) => f.includes('brief.txt'))).toBe(false)
    const usage = await call('/v1/buckets/documents')
    expect(await usage.json()).toMatchObject({ usedObjects: 1 })
  })

  it('makes the files of a form upload expire with its expiresIn field, as x-coffer-expires does', async () => {
    const form = (expiresIn: string, name: string) => {
      const body = new FormData()
      body.append('prefix', 'forms/')
      body.append('expiresIn', expiresIn)
      body.append('file', new Blob([`bytes of ${name}`], { type: 'text/plain' }), name)
      return call('/v1/buckets/documents/objects', { method: 'POST', body })
    }
    expect((await form('soon', 'bad.txt')).status).toBe(400)
    expect((await form('0', 'bad.txt')).status).toBe(400)
    const late = new FormData()
    late.append('file', new Blob(['x']), 'first.txt')
    late.append('expiresIn', '2')
    expect((await call('/v1/buckets/documents/objects', { method: 'POST', body: late })).status).toBe(400)
    expect(await listed('documents', 'store')).not.toContainEqual(expect.stringMatching(/^forms\//))

    const stored = await form('2', 'brief form.txt')
    expect(stored.status).toBe(201)
    const [object] = ((await stored.json()) as { objects: { key: string }[] }).objects
    const key = object?.key as string
    const path = `/v1/buckets/documents/objects/${key}`
    expect((await call(path)).status).toBe(200)
    const before = ((await (await call('/v1/buckets/documents')).json()) as { usedObjects: number })
      .usedObjects

    // Gone from serving and listing once its time has passed; then the sweep deletes it, with its audit.
    await expect.poll(async () => (await call(path)).status).toBe(404)
    expect(await listed('documents', 'index')).not.toContain(key)
    const expiries = async () => {
      const audit = await call(
        `/v1/audit?bucket=documents&action=object.expire&key=${encodeURIComponent(key)}`,
      )
      return ((await audit.json()) as { events: { key: string; actor: string }[] }).events
    }
    await expect.poll(expiries).toEqual([expect.objectContaining({ key, actor: 'system' })])
    expect((await filesUnder(dataDir)).some((f) => f.includes(key.slice('forms/'.length)))).toBe(false)
    const usage = await call('/v1/buckets/documents')
    expect(await usage.json()).toMatchObject({ usedObjects: before - 1 })
  })
})
