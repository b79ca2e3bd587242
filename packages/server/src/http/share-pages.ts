import type { ObjectInfo } from '@coffer/core'
import type { FastifyReply } from 'fastify'
import type { DeadLinkReason, Share } from '../domain/shares/share-store.ts'
import { sendPage } from './html-page.ts'
import { fileNameOf } from './object-headers.ts'

/** What a person reads when a link leads nowhere. */
const DEAD: Record<DeadLinkReason, [title: string, sentence: string]> = {
  unknown: ['Link not found', 'This link does not lead to a shared file. Check that it was copied whole.'],
  revoked: ['Link revoked', 'The person who shared this file has stopped sharing it.'],
  expired: ['Link expired', 'This link has expired. Ask the person who shared it for a new one.'],
  'used up': [
    'Download limit reached',
    'This link has been downloaded as many times as it allows. Ask the person who shared it for a new one.',
  ],
  gone: ['File not found', 'The shared file is no longer there.'],
}

/** The page of a dead link (404), saying why. */
export function sendDeadLinkPage(reply: FastifyReply, why: DeadLinkReason): FastifyReply {
  const [title, sentence] = DEAD[why]
  return sendPage(reply, 404, { title, lines: [sentence] })
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB']

/** A size for people: `12 bytes`, `4.2 MB` (base 1024, as the web UI writes them). */
function sizeText(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`
}

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

/**
 * The page a browser gets for a live link: the file's name and size, until when the link works and
 * how many downloads are left, and a Download button (`?download`). Only that download counts:
 * opening the link, as a person or a link preview that asks for a page does, spends nothing.
 */
export function sendLandingPage(reply: FastifyReply, share: Share, info: ObjectInfo): FastifyReply {
  const lines = [sizeText(info.size), `This link works until ${when.format(new Date(share.expiresAt))} UTC.`]
  if (share.maxDownloads !== undefined) {
    const left = Math.max(0, share.maxDownloads - share.downloads)
    lines.push(`${left} download${left === 1 ? '' : 's'} left.`)
  }
  return sendPage(reply, 200, {
    title: fileNameOf(share.key),
    lines,
    link: { href: '?download', text: 'Download' },
  })
}
