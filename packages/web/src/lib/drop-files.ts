/** A file to upload and its path relative to the drop (`photos/2024/a.jpg` for a dropped folder). */
export interface PickedFile {
  file: File
  path: string
}

/** The parts of the File and Directory Entries API used here (`DataTransferItem.webkitGetAsEntry`). */
export interface EntryLike {
  isFile: boolean
  isDirectory: boolean
  name: string
  fullPath: string
  file?(success: (file: File) => void, failure: (error: unknown) => void): void
  createReader?(): {
    readEntries(success: (entries: EntryLike[]) => void, failure: (error: unknown) => void): void
  }
}

/** Every file under an entry, depth first. A directory reader gives its entries in batches (of 100 in Chromium). */
export async function filesOfEntry(entry: EntryLike): Promise<PickedFile[]> {
  const path = entry.fullPath.replace(/^\//, '') || entry.name
  if (entry.isFile && entry.file) {
    const read = entry.file.bind(entry)
    const file = await new Promise<File>((resolve, reject) => read(resolve, reject))
    return [{ file, path }]
  }
  if (!entry.isDirectory || !entry.createReader) return []
  const reader = entry.createReader()
  const children: EntryLike[] = []
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject))
    if (batch.length === 0) break
    children.push(...batch)
  }
  const nested = await Promise.all(children.map(filesOfEntry))
  return nested.flat()
}

/**
 * The files of a drop, folders walked recursively. The items must be read during the drop event
 * (the browser empties the DataTransfer afterwards), so the entries are taken first, synchronously,
 * and walked after. Items without an entry (synthetic drops, some browsers) give their file.
 */
export function filesOfDrop(data: DataTransfer): Promise<PickedFile[]> {
  const taken: (EntryLike | File)[] = []
  for (const item of Array.from(data.items ?? [])) {
    if (item.kind !== 'file') continue
    const entry = (item.webkitGetAsEntry?.() ?? null) as EntryLike | null
    const file = entry ? null : item.getAsFile()
    if (entry) taken.push(entry)
    else if (file) taken.push(file)
  }
  if (taken.length === 0) {
    for (const file of Array.from(data.files ?? [])) taken.push(file)
  }
  return Promise.all(
    taken.map((t) => (t instanceof File ? [{ file: t, path: t.name }] : filesOfEntry(t))),
  ).then((lists) => lists.flat())
}

/** The files of an `<input type=file>` (with `webkitdirectory`, their relative paths). */
export function filesOfInput(files: FileList | null): PickedFile[] {
  return Array.from(files ?? []).map((file) => ({ file, path: file.webkitRelativePath || file.name }))
}
