import { describe, expect, test } from 'vitest'
import { createImageRenderer, RenderQueue } from '../src/index.ts'
import { photo } from './test-images.ts'

describe('RenderQueue', () => {
  test('runs at most `concurrency` tasks and refuses past `maxQueued` with a retryable Unavailable', async () => {
    const queue = new RenderQueue(1, 1)
    const gates: (() => void)[] = []
    const task = () => new Promise<void>((resolve) => gates.push(resolve))
    const first = queue.run(task)
    const second = queue.run(task)
    await expect(queue.run(task)).rejects.toMatchObject({ code: 'Unavailable', retryable: true })
    expect([queue.running, queue.queued, gates.length]).toEqual([1, 1, 1])
    gates[0]?.()
    await first
    await expect.poll(() => gates.length).toBe(2)
    expect([queue.running, queue.queued]).toEqual([1, 0])
    gates[1]?.()
    await second
    expect([queue.running, queue.queued]).toEqual([0, 0])
  })

  test('a waiter whose signal aborts leaves the queue', async () => {
    const queue = new RenderQueue(1, 4)
    let release = () => {}
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)))
    const controller = new AbortController()
    const waiting = queue.run(async () => 'ran', controller.signal)
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'Aborted' })
    expect(queue.queued).toBe(0)
    release()
    await first
  })
})

describe('renderer limits', () => {
  test('a render past the queue is refused at once with Unavailable', async () => {
    const renderer = createImageRenderer({ concurrency: 1, maxQueued: 0 })
    const source = await photo(200, 200).jpeg().toBuffer()
    const first = renderer.render(source, { transform: { w: 50 } })
    await expect(renderer.render(source, { transform: { w: 50 } })).rejects.toMatchObject({
      code: 'Unavailable',
    })
    expect((await first).width).toBe(50)
    expect(renderer.load()).toEqual({ running: 0, queued: 0 })
  })

  test('an aborted render is Aborted', async () => {
    const renderer = createImageRenderer()
    const source = await photo(200, 200).jpeg().toBuffer()
    await expect(
      renderer.render(source, { transform: {}, signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'Aborted' })
  })
})
