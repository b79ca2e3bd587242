import { close, read } from 'node:fs'
import { Readable } from 'node:stream'

/** How many released buffers a stream keeps for its next reads (one being read, one being sent). */
const SPARE_BUFFERS = 4

/**
 * A byte range of an open file as a stream, in chunks of `chunkSize`. It owns the descriptor and
 * closes it at its end, on error or on destroy (after a read in flight has returned).
 *
 * With `recycle`, piped into a destination and read by nothing else, it reads into the buffers that
 * destination has released: the caller promises that a chunk's write callback means the destination
 * is done with the chunk, as it is for a socket or an HTTP/1 response (the kernel has the bytes). A
 * large download then allocates a few buffers instead of one per chunk; a buffer per chunk is
 * external memory that V8 answers with a full collection every ~64 MiB, which cost more CPU than the
 * copy itself. Without `recycle`, or read any other way (`data`, `for await`, a second reader),
 * every chunk is a buffer of its own that nobody reuses, as with `fs.createReadStream`. The stream
 * cannot tell by itself which destinations keep chunks (a `PassThrough` does), hence the opt-in.
 */
export class FileStream extends Readable {
  readonly #fd: number
  #position: number
  /** One past the last byte to read. */
  readonly #end: number
  readonly #chunkSize: number
  readonly #recycle: boolean
  readonly #spare: Buffer[] = []
  /** The full-size buffers this stream allocated: the only ones it reads into again. */
  readonly #own = new WeakSet<Buffer>()
  /** Another reader took chunks besides the recycling pipe: no buffer is reused from then on. */
  #shared = false
  #reading = false
  #afterRead: (() => void) | undefined
  /** Buffers this stream allocated: a few when it recycles, one per chunk when it cannot. */
  allocated = 0

  /** Bytes `start` to `end` of the file, both included; `recycle`: see the class's comment. */
  constructor(
    fd: number,
    start: number,
    end: number,
    chunkSize: number,
    options: { recycle?: boolean } = {},
  ) {
    super({ highWaterMark: chunkSize })
    this.#fd = fd
    this.#position = start
    this.#end = end + 1
    this.#chunkSize = chunkSize
    this.#recycle = options.recycle ?? false
  }

  override _read(): void {
    const length = Math.min(this.#chunkSize, this.#end - this.#position)
    if (length <= 0) {
      this.push(null)
      return
    }
    const buffer = this.#spare.pop() ?? this.#allocate(length)
    this.#reading = true
    try {
      read(this.#fd, buffer, 0, length, this.#position, (error, bytesRead) => {
        this.#reading = false
        if (this.#afterRead) return this.#afterRead()
        if (error) return void this.destroy(error)
        // The file is shorter than its record says (changed behind the driver's back): fail the
        // stream rather than end it early, so that a reader never takes a cut body for the object.
        if (bytesRead === 0) return void this.destroy(new Error('the object file ended before its size'))
        this.#position += bytesRead
        this.push(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead))
      })
    } catch (error) {
      this.#reading = false
      this.destroy(error as Error)
    }
  }

  /** A buffer of its own (not a slice of Node's shared pool), no larger than what is left to read. */
  #allocate(length: number): Buffer {
    this.allocated++
    const buffer = Buffer.allocUnsafeSlow(length)
    if (length === this.#chunkSize) this.#own.add(buffer)
    return buffer
  }

  /** A chunk whose bytes the destination has sent: its buffer may be read into again. */
  #release(chunk: unknown): void {
    if (this.#shared || this.destroyed || this.#spare.length >= SPARE_BUFFERS) return
    if (Buffer.isBuffer(chunk) && this.#own.has(chunk)) this.#spare.push(chunk)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#spare.length = 0
    const closeFd = () => close(this.#fd, (closeError) => callback(error ?? closeError))
    // Closing the descriptor under a read in flight could let it read another file that reuses the
    // number: close once the read has returned.
    if (this.#reading) this.#afterRead = closeFd
    else closeFd()
  }

  /** The recycling pipe, while one runs: its destination, and how to stop it. */
  #recycling: { target: ReleasingWriter; stop: () => void } | undefined

  /**
   * With `recycle`, when nothing else reads this stream: every chunk is written with a callback that
   * releases its buffer, with the backpressure and end of `Readable.pipe`. Without it, or once
   * another reader has come: `Readable.pipe` itself, and no reuse.
   */
  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    const alone =
      this.#recycling === undefined &&
      this.listenerCount('data') === 0 &&
      this.listenerCount('readable') === 0 &&
      this.readableFlowing === null &&
      !this.readableEnded &&
      this.readableEncoding === null
    if (!this.#recycle || !alone) {
      if (this.#recycling) this.#shared = true
      return super.pipe(destination, options)
    }
    const target = destination as unknown as ReleasingWriter
    const onData = (chunk: Buffer) => {
      const more = target.write(chunk, (error) => {
        if (!error) this.#release(chunk)
      })
      if (!more) this.pause()
    }
    const onDrain = () => this.resume()
    // Any other reader sees the same chunks: reusing one could change bytes it still holds.
    const onNewListener = (event: string | symbol) => {
      if (event === 'data' || event === 'readable') this.#shared = true
    }
    const stop = () => {
      this.#recycling = undefined
      this.off('data', onData)
      this.off('end', onEnd)
      this.off('newListener', onNewListener)
      target.off('drain', onDrain)
      target.off('close', stop)
      target.off('finish', stop)
      // As `Readable.pipe` does when its last destination goes: no more reading ahead into nowhere.
      if (!this.readableEnded) this.pause()
    }
    const onEnd = () => {
      stop()
      if (options?.end !== false) target.end()
    }
    this.#recycling = { target, stop }
    this.on('data', onData)
    this.on('newListener', onNewListener)
    this.once('end', onEnd)
    target.on('drain', onDrain)
    // The destination closed or was ended by someone else: stop writing to it. As with `pipe`, its
    // owner decides what becomes of this stream (Fastify, `pipeline` and `finished` destroy it).
    target.once('close', stop)
    target.once('finish', stop)
    target.emit('pipe', this)
    if (target.writableNeedDrain) this.pause()
    return destination
  }

  override unpipe(destination?: NodeJS.WritableStream): this {
    const recycling = this.#recycling
    if (recycling && (destination === undefined || (destination as unknown) === recycling.target)) {
      recycling.stop()
      recycling.target.emit('unpipe', this)
    }
    return super.unpipe(destination)
  }
}

/** What the recycling `pipe` uses of its destination (a socket or an HTTP/1 response has it all). */
interface ReleasingWriter {
  readonly writableNeedDrain: boolean
  write(chunk: Buffer, callback: (error?: Error | null) => void): boolean
  end(): void
  on(event: 'drain', listener: () => void): void
  once(event: 'close' | 'finish', listener: () => void): void
  off(event: 'drain' | 'close' | 'finish', listener: () => void): void
  emit(event: 'pipe' | 'unpipe', source: Readable): boolean
}
