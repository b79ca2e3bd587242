/**
 * The conformance suite's create-only cases for copy and move (`ifNoneMatch: '*'`): a taken name is
 * refused with `PreconditionFailed` and neither key changes; atomically where the driver declares
 * `conditionalWrite`, so that a name taken between a check and the write is never replaced.
 */
import { expect } from 'vitest'
import type { StorageService } from '../service/storage-service.ts'
import { expectCode, type SuiteContext, text } from './driver-suite.ts'

const read = async (storage: StorageService, key: string) => text((await storage.getObject(key)).body)

export const createOnlyCases: Record<string, (ctx: SuiteContext) => Promise<void>> = {
  async 'copies and moves create-only: a taken name is refused and nothing changes'({ storage, prefix }) {
    const [source, taken, free] = [`${prefix}source.txt`, `${prefix}taken.txt`, `${prefix}free.txt`]
    await storage.upload('source bytes', { key: source, metadata: { from: 'source' } })
    await storage.upload('taken bytes', { key: taken, metadata: { from: 'taken' } })
    const createOnly = { ifNoneMatch: '*' } as const
    await expectCode(storage.copy(source, taken, createOnly), 'PreconditionFailed')
    await expectCode(
      storage.copy(source, taken, { ...createOnly, metadata: { new: '1' } }),
      'PreconditionFailed',
    )
    await expectCode(storage.move(source, taken, createOnly), 'PreconditionFailed')
    await expectCode(storage.move(source, source, createOnly), 'PreconditionFailed')
    expect(await read(storage, taken)).toBe('taken bytes')
    expect((await storage.stat(taken)).metadata).toEqual({ from: 'taken' })
    expect(await read(storage, source)).toBe('source bytes')
    await expectCode(storage.move(`${prefix}missing`, free, createOnly), 'NotFound')
    const copied = await storage.copy(source, free, createOnly)
    expect(copied.key).toBe(free)
    expect(await read(storage, free)).toBe('source bytes')
    await storage.deleteObject(free)
    const moved = await storage.move(source, free, createOnly)
    expect(moved).toMatchObject({ key: free, metadata: { from: 'source' } })
    expect(await read(storage, free)).toBe('source bytes')
    expect(await storage.exists(source)).toBe(false)
    await expectCode(storage.copy(free, taken, { ifNoneMatch: 'x' as '*' }), 'InvalidArgument')
  },

  async 'copies and moves create-only atomically: of racers for one name, one wins'({
    storage,
    prefix,
    driver,
  }) {
    // Without conditional writes in the backend, the service checks then writes: not atomic (declared).
    if (!driver.capabilities.conditionalWrite) return
    const sources = Array.from({ length: 6 }, (_, i) => `${prefix}source-${i}`)
    await Promise.all(sources.map((key, i) => storage.upload(`racer ${i}`, { key })))
    const copies = await Promise.allSettled(
      sources.map((key) => storage.copy(key, `${prefix}copied`, { ifNoneMatch: '*' })),
    )
    const copyWinner = copies.findIndex((r) => r.status === 'fulfilled')
    expect(copies.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(await read(storage, `${prefix}copied`)).toBe(`racer ${copyWinner}`)
    const moves = await Promise.allSettled(
      sources.map((key) => storage.move(key, `${prefix}moved`, { ifNoneMatch: '*' })),
    )
    const moveWinner = moves.findIndex((r) => r.status === 'fulfilled')
    expect(moves.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(await read(storage, `${prefix}moved`)).toBe(`racer ${moveWinner}`)
    for (const [i, key] of sources.entries()) expect(await storage.exists(key)).toBe(i !== moveWinner)
  },
}
