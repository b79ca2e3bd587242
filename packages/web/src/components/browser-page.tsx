import { useEffect, useMemo, useState } from 'react'
import type { CofferClient } from '../api/coffer-client.ts'
import { messageOf } from '../api/people-words.ts'
import { type ObjectSummary, type SortField, type Whoami, withQuotas } from '../api/types.ts'
import { abilitiesIn, searchRoot } from '../lib/abilities.ts'
import { filesOfInput, type PickedFile } from '../lib/drop-files.ts'
import { baseName } from '../lib/format.ts'
import { type Entry, entriesOf, type ViewOptions } from '../lib/listing.ts'
import { download, downloadZip } from '../lib/object-actions.ts'
import { useBucketInfo } from '../lib/use-bucket-info.ts'
import { useDebounced } from '../lib/use-debounced.ts'
import { useFileDrop } from '../lib/use-file-drop.ts'
import { useLayout } from '../lib/use-layout.ts'
import { useListing } from '../lib/use-listing.ts'
import { useSearch } from '../lib/use-search.ts'
import { useSelection } from '../lib/use-selection.ts'
import { useThumbnails } from '../lib/use-thumbnails.ts'
import { useViewInAddress } from '../lib/use-view-address.ts'
import { acceptOf, type UploadRules, uploadRules } from '../upload/upload-rules.ts'
import { Breadcrumbs } from './breadcrumbs.tsx'
import { type BrowserDialog, BrowserDialogs } from './browser-dialogs.tsx'
import { DetailsPanel } from './details-panel.tsx'
import { FolderView, ListingStatus } from './folder-view.tsx'
import { LayoutToggle } from './layout-toggle.tsx'
import './folder-extras.css'
import { ErrorText } from './modal.tsx'
import { OfflineNotice } from './offline-notice.tsx'
import { PublicBadge } from './public-badge.tsx'
import { SearchResultsList } from './search-results.tsx'
import { Toolbar } from './toolbar.tsx'
import { UsageBar } from './usage-bar.tsx'

export interface BrowserPageProps {
  client: CofferClient
  bucket: string
  prefix: string
  /** Who the credential is; what it may not do is not offered. Undefined: everything is. */
  who?: Whoami | undefined
  /** Changes when uploads into this bucket were stored, to list again. */
  uploads: number
  onNavigate: (prefix: string | undefined) => void
  /** Uploads files into a folder; `rules` are the bucket's policy, checked before sending. */
  onUpload: (prefix: string, files: PickedFile[], rules?: UploadRules) => void
}

/** One folder of a bucket: the list, search, sort and filters, selection, uploads by drop or picker, and the actions. */
export function BrowserPage(props: BrowserPageProps) {
  const { client, bucket, prefix } = props
  const folder = `${bucket}/${prefix}`
  const [view, setView] = useViewInAddress(folder)
  const [reloads, setReloads] = useState(0)
  const [opened, setOpened] = useState<{ folder: string; object: ObjectSummary } | undefined>()
  const [dialog, setDialog] = useState<BrowserDialog | undefined>()
  const [error, setError] = useState<string | undefined>()
  const q = useDebounced(view.q, 250)
  // A search of the whole bucket shows its results; the folder below is listed unfiltered meanwhile.
  const searching = view.everywhere === true && q.trim() !== ''
  const serverView = useMemo<ViewOptions>(() => ({ ...view, q: searching ? '' : q }), [view, q, searching])
  const listing = useListing(client, bucket, prefix, serverView, reloads + props.uploads)
  const entries = useMemo(
    () => entriesOf(prefix, listing.prefixes, listing.objects, serverView),
    [prefix, listing.prefixes, listing.objects, serverView],
  )
  const root = searchRoot(props.who, bucket, prefix)
  const results = useSearch(client, bucket, root, { ...view, q }, searching)
  // The page title names the folder, as tabs and the history list show it: "summer — photos — Coffer".
  useEffect(() => {
    document.title = [baseName(prefix), bucket, 'Coffer'].filter((part) => part !== '').join(' — ')
    return () => {
      document.title = 'Coffer'
    }
  }, [bucket, prefix])
  const selection = useSelection(entries, folder)
  const { info, usage, error: infoError } = useBucketInfo(client, bucket, reloads + props.uploads)
  // Made per batch: the rules count the batch's files against the quota.
  const can = abilitiesIn(props.who, bucket, prefix)
  const thumbnail = useThumbnails(client, info, listing.objects, can.sign)
  const [layout, setLayout] = useLayout(folder, entries, info?.renders !== 'none')
  const upload = (files: PickedFile[]) =>
    props.onUpload(prefix, files, info && uploadRules(info, usage && withQuotas(usage, info)))
  const drop = useFileDrop(upload, setError)
  // A new folder closes the details of an object of the last one.
  const details = opened?.folder === folder ? opened.object : undefined

  const isPublic = info?.public ?? false
  const open = (entry: Entry) => {
    if (entry.kind === 'folder') props.onNavigate(entry.key)
    else setOpened({ folder, object: entry.object })
  }
  const run = (action: () => Promise<void>) => {
    setError(undefined)
    action().catch((e: unknown) => setError(messageOf(e)))
  }
  const selectedKeys = [...selection.selected]
  const single = selectedKeys.length === 1 ? selectedKeys[0] : undefined
  const shownError = error ?? infoError
  return (
    <main className={`page browser${details ? ' with-details' : ''}`} {...(can.write ? drop.handlers : {})}>
      <div className="page-head">
        <Breadcrumbs bucket={bucket} prefix={prefix} onNavigate={props.onNavigate} />
        {isPublic ? <PublicBadge bucket={bucket} /> : null}
        {usage ? <UsageBar usage={withQuotas(usage, info)} label={`Storage used by ${bucket}`} /> : null}
      </div>
      <Toolbar
        view={view}
        onView={setView}
        accept={acceptOf(info)}
        can={can}
        selected={selectedKeys.length}
        single={single !== undefined && !single.endsWith('/')}
        onPick={(files: FileList | null) => {
          const picked = filesOfInput(files)
          if (picked.length > 0) upload(picked)
        }}
        onNewFolder={() => setDialog({ kind: 'folder' })}
        onDownload={() => single && run(() => download(client, bucket, isPublic, single))}
        onShare={() => single && setDialog({ kind: 'share', key: single })}
        onRename={() => single && setDialog({ kind: 'rename', key: single })}
        onDelete={() => setDialog({ kind: 'delete', keys: selectedKeys })}
        onMove={() => setDialog({ kind: 'move', keys: selectedKeys, root })}
        onZip={() => run(() => downloadZip(client, bucket, selectedKeys, prefix))}
        onClearSelection={selection.clear}
      />
      {shownError === undefined ? null : <ErrorText message={shownError} />}
      {listing.error === undefined ? null : <ErrorText message={listing.error} />}
      {searching && results.error !== undefined ? <ErrorText message={results.error} /> : null}
      <OfflineNotice listing={listing} />
      <div className="listing-bar">
        {searching ? null : <ListingStatus entries={entries} listing={listing} />}
        <LayoutToggle layout={layout} onLayout={setLayout} />
      </div>
      <div className="browser-body">
        {searching ? (
          <SearchResultsList
            bucket={bucket}
            query={q}
            root={root}
            results={results}
            onOpen={(object) => setOpened({ folder, object })}
            onFolder={props.onNavigate}
          />
        ) : (
          <FolderView
            entries={entries}
            listing={listing}
            selection={selection}
            view={view}
            layout={layout}
            thumbnail={thumbnail}
            onOpen={open}
            onSort={(sort: SortField) =>
              setView({ ...view, sort, order: view.sort === sort && view.order === 'asc' ? 'desc' : 'asc' })
            }
            onDelete={() => can.delete && setDialog({ kind: 'delete', keys: selectedKeys })}
          />
        )}
        {details ? (
          <DetailsPanel
            client={client}
            bucket={bucket}
            isPublic={isPublic}
            summary={details}
            policy={info}
            can={can}
            onClose={() => {
              setOpened(undefined)
              // The focus may have been in the panel: the folder's grid keeps it.
              document.querySelector<HTMLElement>('.browser [role="grid"]')?.focus()
            }}
            onDownload={() => run(() => download(client, bucket, isPublic, details.key))}
            onShare={() => setDialog({ kind: 'share', key: details.key })}
            onRename={() => setDialog({ kind: 'rename', key: details.key })}
            onDelete={() => setDialog({ kind: 'delete', keys: [details.key] })}
          />
        ) : null}
      </div>
      {drop.dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          Drop to upload to {bucket}/{prefix}
        </div>
      ) : null}
      <BrowserDialogs
        client={client}
        bucket={bucket}
        prefix={prefix}
        isPublic={isPublic}
        dialog={dialog}
        onClose={() => setDialog(undefined)}
        onDialog={setDialog}
        onOpenFolder={props.onNavigate}
        onChanged={(gone) => {
          setDialog(undefined)
          if (gone.length > 0) selection.clear()
          if (details && gone.includes(details.key)) setOpened(undefined)
          setReloads((n) => n + 1)
        }}
      />
    </main>
  )
}
