import { type DragEvent, useCallback, useEffect, useMemo, useState } from 'react'
import { messageOf } from '../api/api-error.ts'
import type { CofferClient } from '../api/coffer-client.ts'
import { type Bucket, type ObjectSummary, type SortField, type Usage, withQuotas } from '../api/types.ts'
import { filesOfDrop, filesOfInput, type PickedFile } from '../lib/drop-files.ts'
import { type Entry, entriesOf, type ViewOptions } from '../lib/listing.ts'
import { deleteEntries, download, renameEntry, renameTarget } from '../lib/object-actions.ts'
import { useListing } from '../lib/use-listing.ts'
import { Breadcrumbs } from './breadcrumbs.tsx'
import { DetailsPanel } from './details-panel.tsx'
import { ActionForm, ConfirmDialog, ErrorText, Modal } from './modal.tsx'
import { ObjectList } from './object-list.tsx'
import { ShareDialog } from './share-dialog.tsx'
import { Toolbar } from './toolbar.tsx'
import { UsageBar } from './usage-bar.tsx'

type Dialog =
  | { kind: 'delete'; keys: string[] }
  | { kind: 'rename'; key: string }
  | { kind: 'share'; key: string }
  | { kind: 'folder' }

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return debounced
}

/** A text field in a dialog (rename, new folder). */
function NameDialog(props: {
  title: string
  label: string
  initial: string
  submit: string
  onSubmit: (value: string) => Promise<void>
  onClose: () => void
}) {
  const [value, setValue] = useState(props.initial)
  return (
    <Modal title={props.title} onClose={props.onClose}>
      <ActionForm submit={props.submit} onSubmit={() => props.onSubmit(value)} onCancel={props.onClose}>
        <label className="fields">
          {props.label}
          <input required value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
      </ActionForm>
    </Modal>
  )
}

export interface BrowserPageProps {
  client: CofferClient
  bucket: string
  prefix: string
  /** Changes when uploads into this bucket were stored, to list again. */
  uploads: number
  onNavigate: (prefix: string | undefined) => void
  onUpload: (prefix: string, files: PickedFile[]) => void
}

/** One folder of a bucket: the list, search, sort and filters, selection, uploads by drop or picker, and the actions. */
export function BrowserPage(props: BrowserPageProps) {
  const { client, bucket, prefix } = props
  const [info, setInfo] = useState<Bucket | undefined>()
  const [usage, setUsage] = useState<Usage | undefined>()
  const [view, setView] = useState<ViewOptions>({ sort: 'name', order: 'asc', q: '', type: '' })
  const [reloads, setReloads] = useState(0)
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [active, setActive] = useState(-1)
  const [opened, setOpened] = useState<ObjectSummary | undefined>()
  const [dialog, setDialog] = useState<Dialog | undefined>()
  const [dragging, setDragging] = useState(false)
  const [error, setError] = useState<string | undefined>()
  const q = useDebounced(view.q, 250)
  const serverView = useMemo(() => ({ ...view, q }), [view, q])
  const listing = useListing(client, bucket, prefix, serverView, reloads + props.uploads)
  const entries = useMemo(
    () => entriesOf(prefix, listing.prefixes, listing.objects, serverView),
    [prefix, listing.prefixes, listing.objects, serverView],
  )
  const reload = () => setReloads((n) => n + 1)

  // biome-ignore lint/correctness/useExhaustiveDependencies: uploads and reloads change the usage
  useEffect(() => {
    let live = true
    client.json<Bucket>(`/v1/buckets/${encodeURIComponent(bucket)}`).then(
      (b) => live && setInfo(b),
      (e) => live && setError(messageOf(e)),
    )
    client.usage(bucket).then(
      (u) => live && setUsage(u),
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [client, bucket, props.uploads, reloads])
  // A new folder starts with nothing selected.
  // biome-ignore lint/correctness/useExhaustiveDependencies: prefix and bucket are the triggers
  useEffect(() => {
    setSelected(new Set())
    setActive(-1)
    setOpened(undefined)
  }, [bucket, prefix])

  const isPublic = info?.public ?? false
  const open = (entry: Entry) => {
    if (entry.kind === 'folder') props.onNavigate(entry.key)
    else setOpened(entry.object)
  }
  const toggle = useCallback(
    (index: number, range: boolean) => {
      const entry = entries[index]
      if (!entry) return
      const next = new Set(selected)
      if (range && active >= 0) {
        const [from, to] = active < index ? [active, index] : [index, active]
        for (const e of entries.slice(from, to + 1)) next.add(e.key)
      } else if (next.has(entry.key)) next.delete(entry.key)
      else next.add(entry.key)
      setSelected(next)
    },
    [entries, selected, active],
  )
  const run = (action: () => Promise<void>) => {
    setError(undefined)
    action().catch((e: unknown) => setError(messageOf(e)))
  }
  const selectedKeys = [...selected]
  const single = selectedKeys.length === 1 ? selectedKeys[0] : undefined
  const onDrop = (event: DragEvent) => {
    event.preventDefault()
    setDragging(false)
    filesOfDrop(event.dataTransfer).then(
      (files) => files.length > 0 && props.onUpload(prefix, files),
      (e: unknown) => setError(messageOf(e)),
    )
  }
  return (
    <main
      className={`page browser${opened ? ' with-details' : ''}`}
      onDragOver={(event) => {
        if (!event.dataTransfer.types.includes('Files')) return
        event.preventDefault()
        event.dataTransfer.dropEffect = 'copy'
        setDragging(true)
      }}
      onDragLeave={(event) => {
        if (
          event.currentTarget === event.target ||
          !event.currentTarget.contains(event.relatedTarget as Node)
        ) {
          setDragging(false)
        }
      }}
      onDrop={onDrop}
    >
      <div className="page-head">
        <Breadcrumbs bucket={bucket} prefix={prefix} onNavigate={props.onNavigate} />
        {usage ? <UsageBar usage={withQuotas(usage, info)} label={`Storage used by ${bucket}`} /> : null}
      </div>
      <Toolbar
        view={view}
        onView={setView}
        selected={selectedKeys.length}
        single={single !== undefined && !single.endsWith('/')}
        onPick={(files: FileList | null) => {
          const picked = filesOfInput(files)
          if (picked.length > 0) props.onUpload(prefix, picked)
        }}
        onNewFolder={() => setDialog({ kind: 'folder' })}
        onDownload={() => single && run(() => download(client, bucket, isPublic, single))}
        onShare={() => single && setDialog({ kind: 'share', key: single })}
        onRename={() => single && setDialog({ kind: 'rename', key: single })}
        onDelete={() => setDialog({ kind: 'delete', keys: selectedKeys })}
        onClearSelection={() => setSelected(new Set())}
      />
      {error === undefined ? null : <ErrorText message={error} />}
      {listing.error === undefined ? null : <ErrorText message={listing.error} />}
      <p className="listing-status muted" role="status" aria-live="polite">
        {listing.complete
          ? `${entries.length.toLocaleString()} item${entries.length === 1 ? '' : 's'}`
          : `Loading… ${listing.objects.length.toLocaleString()} so far`}
      </p>
      <div className="browser-body">
        {entries.length === 0 && listing.complete && listing.error === undefined ? (
          <div className="empty">
            <p>{view.q || view.type ? 'Nothing matches.' : 'This folder is empty.'}</p>
            <p className="muted">Drop files or folders here, or use Upload.</p>
          </div>
        ) : (
          <ObjectList
            entries={entries}
            selected={selected}
            active={active}
            view={view}
            onActive={setActive}
            onToggle={toggle}
            onSelectAll={(all) => setSelected(new Set(all ? entries.map((e) => e.key) : []))}
            onOpen={open}
            onSort={(sort: SortField) =>
              setView({ ...view, sort, order: view.sort === sort && view.order === 'asc' ? 'desc' : 'asc' })
            }
            onDelete={() => setDialog({ kind: 'delete', keys: selectedKeys })}
          />
        )}
        {opened ? (
          <DetailsPanel
            client={client}
            bucket={bucket}
            isPublic={isPublic}
            summary={opened}
            onClose={() => setOpened(undefined)}
            onDownload={() => run(() => download(client, bucket, isPublic, opened.key))}
            onShare={() => setDialog({ kind: 'share', key: opened.key })}
            onRename={() => setDialog({ kind: 'rename', key: opened.key })}
            onDelete={() => setDialog({ kind: 'delete', keys: [opened.key] })}
          />
        ) : null}
      </div>
      {dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          Drop to upload to {bucket}/{prefix}
        </div>
      ) : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title="Delete"
          confirm="Delete"
          message={
            dialog.keys.length === 1
              ? `Delete ${dialog.keys[0]}${dialog.keys[0]?.endsWith('/') ? ' and everything in it' : ''}? This cannot be undone.`
              : `Delete these ${dialog.keys.length} items (folders with everything in them)? This cannot be undone.`
          }
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            await deleteEntries(client, bucket, dialog.keys)
            setDialog(undefined)
            setSelected(new Set())
            if (opened && dialog.keys.includes(opened.key)) setOpened(undefined)
            reload()
          }}
        />
      ) : null}
      {dialog?.kind === 'rename' ? (
        <NameDialog
          title="Rename or move"
          label="New name (a path with / moves it from the bucket's root)"
          initial={dialog.key.slice(prefix.length).replace(/\/$/, '')}
          submit="Rename"
          onClose={() => setDialog(undefined)}
          onSubmit={async (value) => {
            await renameEntry(client, bucket, dialog.key, renameTarget(dialog.key, value))
            setDialog(undefined)
            setSelected(new Set())
            setOpened(undefined)
            reload()
          }}
        />
      ) : null}
      {dialog?.kind === 'folder' ? (
        <NameDialog
          title="New folder"
          label="Folder name"
          initial=""
          submit="Create"
          onClose={() => setDialog(undefined)}
          onSubmit={async (value) => {
            const name = value.trim().replace(/^\/+|\/+$/g, '')
            await client.putEmpty(bucket, `${prefix}${name}/`)
            setDialog(undefined)
            reload()
          }}
        />
      ) : null}
      {dialog?.kind === 'share' ? (
        <ShareDialog
          client={client}
          bucket={bucket}
          isPublic={isPublic}
          objectKey={dialog.key}
          onClose={() => setDialog(undefined)}
        />
      ) : null}
    </main>
  )
}
