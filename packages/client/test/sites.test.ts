import { expect, it } from 'vitest'
import { tarGzOf, zipOf } from '../../server/test/sites/archives.ts'
import { siteGet } from '../../server/test/sites/site-client.ts'
import { useClient } from './client-fixture.ts'

const f = useClient()
const page = (text: string) => [{ name: 'index.html', data: `<!doctype html><p>${text}</p>` }]

it('deploys, lists, switches back, deletes a deploy, and opens a private site with a preview link', async () => {
  const sent: number[] = []
  const first = await f.client.sites.deploy('client-demo', await tarGzOf(page('one')), {
    onProgress: (bytes) => sent.push(bytes),
  })
  expect(sent.at(-1)).toBeGreaterThan(0)
  const second = await f.client.sites.deploy('client-demo', await zipOf(page('two')), { format: 'zip' })
  expect(second.site.current).toBe(second.deploy.id)
  const { deploys } = await f.client.sites.get('client-demo')
  expect(deploys.map((deploy) => deploy.id).sort()).toEqual([first.deploy.id, second.deploy.id].sort())

  // Rollback is a switch back; the deploy no longer live can then go.
  expect((await f.client.sites.update('client-demo', { current: first.deploy.id })).current).toBe(
    first.deploy.id,
  )
  await f.client.sites.deleteDeploy('client-demo', second.deploy.id)
  expect((await f.client.sites.get('client-demo')).deploys.map((deploy) => deploy.id)).toEqual([
    first.deploy.id,
  ])

  const preview = new URL((await f.client.sites.preview('client-demo', 600)).url)
  const opened = await siteGet(f.harness.contentUrl, 'client-demo', preview.pathname + preview.search)
  const cookie = String(opened.headers['set-cookie']).split(';')[0] ?? ''
  const home = await siteGet(f.harness.contentUrl, 'client-demo', '/', { cookie })
  expect(home.body).toContain('<p>one</p>')
})

it('refuses bad archives and site names with typed errors, storing nothing', async () => {
  const before = await f.harness.stored('prototypes')
  await expect(f.client.sites.deploy('bad-one', 'not an archive')).rejects.toMatchObject({
    code: 'UnsupportedMediaType',
    status: 415,
  })
  const traversal = await tarGzOf([...page('x'), { name: '../escape.html', data: 'x' }])
  await expect(f.client.sites.deploy('bad-one', traversal)).rejects.toMatchObject({ status: 400 })
  await expect(f.client.sites.deploy('Not_A_Label', await tarGzOf(page('x')))).rejects.toMatchObject({
    code: 'InvalidArgument',
  })
  expect(await f.harness.stored('prototypes')).toEqual(before)
  await expect(f.client.sites.get('bad-one')).rejects.toMatchObject({ code: 'NotFound' })
})
