import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-limits.ts'
import { loadSharp, type Sharp } from './load-sharp.ts'
import { type ImageProbe, probeImage } from './probe-image.ts'
import { type RenderedImage, type RenderRequest, renderImage } from './render-image.ts'
import { aborted, RenderQueue } from './render-queue.ts'
import { fromSharpError } from './sharp-errors.ts'
import { type ImageSource, spoolSource } from './spool-source.ts'
import { type StrippedImage, stripImageMetadata } from './strip-metadata.ts'

/**
 * Renders, probes and strips untrusted images within one set of limits and one bounded queue. Every
 * method throws `StorageError`s only: `UnsupportedMediaType` (not an image, or SVG not allowed),
 * `UnprocessableContent` (a pixel bomb, a damaged file), `TooLarge` (past `maxInputBytes`),
 * `Unavailable` (the queue is full; retryable), `Timeout`, `Aborted`, `InvalidArgument`.
 */
export interface ImageRenderer {
  readonly limits: Readonly<ImageLimits>
  /** Renders `source` as `request.transform` asks; see `RenderedImage` for why the output is whole. */
  render(source: ImageSource, request: RenderRequest): Promise<RenderedImage>
  /** Width, height and a ThumbHash placeholder of an image, e.g. one just uploaded. */
  probe(source: ImageSource, options?: ProbeOptions): Promise<ImageProbe>
  /** The image without EXIF/GPS/XMP, orientation applied, same format: for a bucket's `stripMetadata`. */
  stripMetadata(source: ImageSource, options?: StripOptions): Promise<StrippedImage>
  /** Renders, probes and strips running now and waiting now, for metrics. */
  load(): { running: number; queued: number }
}

/** Options of `stripMetadata`. */
export interface StripOptions {
  /** A lower byte limit than the renderer's, e.g. the bucket's largest file. */
  maxInputBytes?: number | undefined
  signal?: AbortSignal | undefined
}

/** Options of `probe`. */
export interface ProbeOptions {
  allowSvg?: boolean | undefined
  signal?: AbortSignal | undefined
}

/**
 * An `ImageRenderer` with the given limits over the defaults. sharp is imported at the first call,
 * not here, so creating a renderer costs nothing.
 */
export function createImageRenderer(limits: Partial<ImageLimits> = {}): ImageRenderer {
  const bounds: ImageLimits = { ...DEFAULT_IMAGE_LIMITS, ...limits }
  const queue = new RenderQueue(bounds.concurrency, bounds.maxQueued)

  /**
   * Spools the source and runs `work` on it in a queue slot, within the time limit. The caller's
   * promise settles at once on abort or timeout; the slot is held until libvips itself stops (its
   * own timeout ends it), so the concurrency bound counts the CPU really in use.
   */
  async function withSource<T>(
    source: ImageSource,
    signal: AbortSignal | undefined,
    work: (sharp: Sharp, input: string | Buffer) => Promise<T>,
    maxBytes = bounds.maxInputBytes,
  ): Promise<T> {
    const deadline = AbortSignal.timeout(bounds.timeoutMs)
    const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline])
    const task = queue.run(async () => {
      const spooled = await spoolSource(source, {
        tempDir: bounds.tempDir,
        maxBytes,
        signal: combined,
      })
      try {
        return await work(await loadSharp(), spooled.input)
      } catch (error) {
        throw fromSharpError(error)
      } finally {
        await spooled.dispose()
      }
    }, combined)
    return settleFirst(task, combined)
  }

  return {
    limits: bounds,
    render: (source, request) =>
      withSource(source, request.signal, (sharp, input) =>
        renderImage(sharp, input, { ...request, maxPixels: bounds.maxPixels, timeoutMs: bounds.timeoutMs }),
      ),
    probe: (source, options = {}) =>
      withSource(source, options.signal, (sharp, input) =>
        probeImage(sharp, input, { ...bounds, allowSvg: options.allowSvg }),
      ),
    stripMetadata: (source, options = {}) =>
      withSource(
        source,
        options.signal,
        (sharp, input) => stripImageMetadata(sharp, input, bounds),
        Math.min(bounds.maxInputBytes, options.maxInputBytes ?? Number.POSITIVE_INFINITY),
      ),
    load: () => ({ running: queue.running, queued: queue.queued }),
  }
}

/**
 * `task`'s outcome, or `Timeout`/`Aborted` as soon as `signal` fires. A task that loses the race
 * still ends (its own time limit stops libvips); its late failure is the caller's abort, already
 * reported, so it is not raised a second time.
 */
function settleFirst<T>(task: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted(signal))
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    task.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
