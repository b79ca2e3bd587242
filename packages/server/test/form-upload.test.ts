import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Harness, testStorages, VARIANTS } from './harness.ts'

const storages = testStorages()

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')

describe.each(VARIANTS)(
  'multipart form uploads ($driver driver, $persistence index)',
  ({ driver, persistence }) => {
    let h: Harness
    const post = (bucket: string, form: FormData, token = h.admin) =>
      h.fetch(`/v1/buckets/${bucket}/objects`, { method: 'POST', token, body: form })

    beforeAll(async () => {
      if (!(await storages.ready(driver))) return
      h = await storages.start(driver, persistence)
    })
    afterAll(() => h?.close())
    beforeEach(({ skip }) => storages.skipUnavailable(driver, skip))

    it('stores each file under a unique name made from its file name, below the prefix', async () => {
      const form = new FormData()
      form.append('prefix', 'projects/p1/')
      form.append('file', new Blob(['first file'], { type: 'text/plain' }), 'Compte Rendu.txt')
      form.append('file', new Blob(['{"a":1}'], { type: 'application/json' }), 'data.json')
      const response = await post('documents', form)
      expect(response.status).toBe(201)
      const { objects } = (await response.json()) as {
        objects: { key: string; size: number; contentType: string }[]
      }
      expect(objects).toHaveLength(2)
      expect(objects[0]?.key).toMatch(/^projects\/p1\/[0-9a-z]{26}-compte-rendu\.txt$/)
      expect(objects[1]).toMatchObject({ size: 7, contentType: 'application/json' })
      const back = await h.fetch(`/v1/buckets/documents/objects/${objects[0]?.key}`, { token: h.admin })
      expect(await back.text()).toBe('first file')
    })

    it('stores one file at the given key', async () => {
      const form = new FormData()
      form.append('key', 'me/avatar.png')
      form.append('file', new Blob([PNG]), 'whatever.png')
      const response = await post('avatars', form)
      expect(response.status).toBe(201)
      expect(await response.json()).toMatchObject({
        objects: [{ key: 'me/avatar.png', contentType: 'image/png', size: 16 }],
      })
      const two = new FormData()
      two.append('key', 'me/two.png')
      two.append('file', new Blob([PNG]), 'a.png')
      two.append('file', new Blob([PNG]), 'b.png')
      expect((await post('avatars', two)).status).toBe(400)
    })

    it('refuses the whole form when one file breaks the bucket policy, leaving nothing', async () => {
      const before = await h.stored('avatars')
      const form = new FormData()
      form.append('prefix', 'batch/')
      form.append('file', new Blob([PNG]), 'ok.png')
      form.append(
        'file',
        new Blob(['<html><script>alert(1)</script></html>'], { type: 'image/png' }),
        'evil.png',
      )
      const response = await post('avatars', form)
      expect(response.status).toBe(415)
      expect(await h.stored('avatars')).toEqual(before)

      const big = new FormData()
      big.append('file', new Blob([PNG, Buffer.alloc(6 * 1024 * 1024)]), 'big.png')
      expect((await post('avatars', big)).status).toBe(413)
      expect(await h.stored('avatars')).toEqual(before)
    })

    it('checks write permission on each file and refuses bad forms', async () => {
      const scoped = await h.key([{ bucket: 'documents', prefix: 'mine/', permissions: ['write'] }])
      const outside = new FormData()
      outside.append('prefix', 'theirs/')
      outside.append('file', new Blob(['x']), 'x.txt')
      expect((await post('documents', outside, scoped)).status).toBe(403)
      const inside = new FormData()
      inside.append('prefix', 'mine/')
      inside.append('file', new Blob(['x']), 'x.txt')
      expect((await post('documents', inside, scoped)).status).toBe(201)

      const noFile = new FormData()
      noFile.append('prefix', 'a/')
      expect((await post('documents', noFile)).status).toBe(400)
      const late = new FormData()
      late.append('file', new Blob(['x']), 'x.txt')
      late.append('key', 'late.txt')
      expect((await post('documents', late)).status).toBe(400)
      const json = await h.fetch('/v1/buckets/documents/objects', {
        method: 'POST',
        token: h.admin,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect(json.status).toBe(415)
    })
  },
)
