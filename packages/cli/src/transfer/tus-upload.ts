import { createReadStream } from 'node:fs'
import { TUS_CHUNK, type UploadUrlStore } from '@coffer/client'
import type { CofferUrl } from '../coffer-url.ts'
import type { LocalFile } from './local-tree.ts'
import type { FileProgress } from './progress.ts'
import type { ResumeStore, UploadIdentity } from './resume-store.ts'
import type { TransferContext } from './transfer-context.ts'

/** The resume store's record of one identity, as the client's store of upload URLs. */
function urlStoreOf(resumes: ResumeStore, identity: UploadIdentity): UploadUrlStore {
  return {
    get: () => resumes.get(identity),
    set: (_fingerprint, url) => resumes.set(identity, url),
    delete: () => resumes.delete(identity),
  }
}

/**
 * Uploads a file over tus (the client's resumable upload), resumably: the upload URL is recorded
 * before the first byte is sent, so that a rerun after a crash, a kill or a lost connection asks the
 * service for its offset and sends only the rest. A refusal ends the upload, and its record is dropped.
 */
export async function tusUpload(
  ctx: TransferContext,
  file: LocalFile,
  target: CofferUrl,
  progress: FileProgress,
): Promise<void> {
  const identity: UploadIdentity = {
    server: ctx.client.url,
    bucket: target.bucket,
    key: target.key,
    path: file.path,
    size: file.size,
    mtimeMs: file.mtimeMs,
  }
  // A file stream with a path: tus-js-client reads each chunk from the file as it sends it.
  await ctx.client.objects.uploadResumable(target.bucket, target.key, createReadStream(file.path), {
    contentType: ctx.attributes.contentType,
    chunkSize: TUS_CHUNK,
    resume: { store: urlStoreOf(ctx.resumes, identity), fingerprint: `${target.bucket}/${target.key}` },
    onProgress: (sent) => progress.update(sent),
    onResume: ({ offset, retry }) =>
      ctx.progress.log(
        retry === undefined
          ? `resuming ${file.path} at byte ${offset} of ${file.size}`
          : `retrying ${file.path} from byte ${offset} of ${file.size} (${retry.message})`,
      ),
  })
}
