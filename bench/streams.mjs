/** Streams shared by the benchmarks: nothing big is ever allocated, so RSS shows the code measured. */
import { randomBytes } from 'node:crypto'
import { Readable, Writable } from 'node:stream'

const MiB = 1024 * 1024

/** `total` bytes in 1 MiB chunks, all views of one random block. */
export function source(total) {
  const block = randomBytes(MiB)
  let sent = 0
  return new Readable({
    highWaterMark: MiB,
    read() {
      if (sent >= total) return void this.push(null)
      const n = Math.min(MiB, total - sent)
      sent += n
      this.push(n === MiB ? block : block.subarray(0, n))
    },
  })
}

/** A writable that drops what it receives, counting the bytes in `received`. */
export function sink() {
  const counter = new Writable({
    write(chunk, _encoding, done) {
      counter.received += chunk.length
      done()
    },
  })
  counter.received = 0
  return counter
}
