import { type DragEvent, useState } from 'react'
import { messageOf } from '../api/people-words.ts'
import { filesOfDrop, type PickedFile } from './drop-files.ts'

/** Files (and folders) dropped on an element: whether a drag is over it, and its handlers. */
export function useFileDrop(onFiles: (files: PickedFile[]) => void, onError: (message: string) => void) {
  const [dragging, setDragging] = useState(false)
  const handlers = {
    onDragOver(event: DragEvent) {
      if (!event.dataTransfer.types.includes('Files')) return
      event.preventDefault()
      event.dataTransfer.dropEffect = 'copy'
      setDragging(true)
    },
    onDragLeave(event: DragEvent) {
      // Leaving for a child is no leaving; only a move outside the element ends the drag.
      if (
        event.currentTarget === event.target ||
        !event.currentTarget.contains(event.relatedTarget as Node)
      ) {
        setDragging(false)
      }
    },
    onDrop(event: DragEvent) {
      event.preventDefault()
      setDragging(false)
      filesOfDrop(event.dataTransfer).then(
        (files) => files.length > 0 && onFiles(files),
        (e: unknown) => onError(messageOf(e)),
      )
    },
  }
  return { dragging, handlers }
}
