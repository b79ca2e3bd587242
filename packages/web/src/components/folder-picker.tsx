import { useEffect, useState } from 'react'
import { type CofferClient, listPage } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { baseName } from '../lib/format.ts'
import { ErrorText } from './modal.tsx'

/**
 * Picks a folder of a bucket by walking it: the folder's subfolders as buttons, and Up, never above
 * `root` (the part of the bucket the credential may list).
 */
export function FolderPicker(props: {
  client: CofferClient
  bucket: string
  root: string
  at: string
  onAt: (prefix: string) => void
}) {
  const { client, bucket, at } = props
  const [folders, setFolders] = useState<string[] | undefined>()
  const [error, setError] = useState<string | undefined>()
  useEffect(() => {
    const controller = new AbortController()
    setFolders(undefined)
    setError(undefined)
    const load = async () => {
      const found: string[] = []
      let cursor: string | undefined
      // Folders only; a folder with more than a few thousand subfolders shows its first ones.
      for (let page = 0; page < 5; page++) {
        const query = { prefix: at, delimiter: '/', ...(cursor ? { cursor } : {}) }
        const listed = await listPage(client, bucket, query, controller.signal)
        found.push(...listed.prefixes)
        cursor = listed.cursor
        if (cursor === undefined) break
      }
      if (!controller.signal.aborted) setFolders(found)
    }
    load().catch((e: unknown) => controller.signal.aborted || setError(messageOf(e)))
    return () => controller.abort()
  }, [client, bucket, at])
  const parent = at.slice(0, at.slice(0, -1).lastIndexOf('/') + 1)
  return (
    <div>
      <p>
        Into <strong>{`${bucket}/${at}`}</strong>
      </p>
      <ul className="folder-picker" aria-label="Folders">
        {at !== props.root && at.startsWith(props.root) ? (
          <li>
            <button
              type="button"
              onClick={() => props.onAt(parent.length < props.root.length ? props.root : parent)}
            >
              ↑ Up
            </button>
          </li>
        ) : null}
        {(folders ?? []).map((folder) => (
          <li key={folder}>
            <button type="button" onClick={() => props.onAt(folder)} aria-label={`Open ${baseName(folder)}`}>
              📁 {baseName(folder)}
            </button>
          </li>
        ))}
        {folders === undefined && error === undefined ? <li className="muted">Loading…</li> : null}
        {folders?.length === 0 ? <li className="muted">No folders here</li> : null}
      </ul>
      {error === undefined ? null : <ErrorText message={error} />}
    </div>
  )
}
