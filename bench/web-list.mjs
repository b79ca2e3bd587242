/**
 * The web UI with many objects, in headless Chromium (Debian's /usr/bin/chromium, or COFFER_CHROMIUM):
 * starts the built service (`npm run build` first; fs driver and SQLite in a temp dir, a real admin
 * key), seeds N small objects into one folder through the API, then measures
 *  - navigation → the N-object listing ready (every page loaded and rendered, "N items"), in ms since
 *    the navigation started (the page's own clock), and then scrolling it end to end (frame times);
 *  - drop → first upload request sent, → first progress shown, → stored, for a small file (one PUT)
 *    and a large one (tus: creation, then PATCHes).
 * Usage: npm run bench:web [-- --objects 10000 --rounds 3]
 */
import { parseArgs } from 'node:util'
import { launchChromium } from '../packages/web/test/chromium.ts'
import { startService } from './service.mjs'

const { values } = parseArgs({
  options: { objects: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '3' } },
})
const COUNT = Number(values.objects)
const ROUNDS = Number(values.rounds)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const round = (x) => Math.round(x)

/** PUTs `count` small objects, `parallel` at a time. */
async function seed(url, count, parallel = 16) {
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      const key = `bench-list/file-${String(i).padStart(5, '0')}.txt`
      const response = await fetch(`${url}/v1/buckets/exports/objects/${key}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/plain' },
        body: `object ${i}\n`,
      })
      if (!response.ok) throw new Error(`PUT ${key}: ${response.status} ${await response.text()}`)
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
}

/** In the page: the time of every XHR send (tus-js-client and the PUTs both use XHR). */
function recordSends() {
  window.__sends = []
  const open = XMLHttpRequest.prototype.open
  const send = XMLHttpRequest.prototype.send
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.__what = `${method} ${url}`
    return open.call(this, method, url, ...rest)
  }
  XMLHttpRequest.prototype.send = function (body) {
    window.__sends.push({ what: this.__what, at: performance.now() })
    return send.call(this, body)
  }
}

/** In the page: drops one file of `size` bytes and times the first request and the first progress shown. */
async function dropAndTime({ name, size }) {
  // An empty queue first, so the total bar measures this file only.
  for (const button of document.querySelectorAll('.upload-head button')) {
    if (button.textContent === 'Clear') button.click()
  }
  await new Promise(requestAnimationFrame)
  const data = new DataTransfer()
  data.items.add(new File([new Uint8Array(size)], name))
  window.__sends = []
  const target = document.querySelector('main.browser')
  const t0 = performance.now()
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }))
  }
  // The first progress shown: the total bar (always there while files move) or the file's own bar.
  const moved = () =>
    [...document.querySelectorAll('.upload-panel progress')].some((bar) => Number(bar.value) > 0)
  const shown = await new Promise((resolve) => {
    if (moved()) return resolve(performance.now())
    const observer = new MutationObserver(() => {
      if (!moved()) return
      observer.disconnect()
      resolve(performance.now())
    })
    observer.observe(document.body, { subtree: true, childList: true, attributes: true })
  })
  // Stored: the queue (emptied before the drop) says so.
  await new Promise((resolve) => {
    const check = () =>
      document.querySelector('.upload-head [role="status"]')?.textContent === 'Uploads complete'
        ? resolve()
        : setTimeout(check, 5)
    check()
  })
  const first = window.__sends[0]
  return {
    request: first.at - t0,
    requestWhat: first.what,
    progress: shown - t0,
    done: performance.now() - t0,
  }
}

const { url, adminKey, stop } = await startService('web')
let browser
try {
  const s0 = performance.now()
  await seed(url, COUNT)
  console.log(`seeded ${COUNT} objects in ${round(performance.now() - s0)} ms`)

  browser = await launchChromium()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  // Init scripts are injected by the browser, so the page's CSP (no eval) does not apply to them.
  await context.addInitScript((key) => sessionStorage.setItem('coffer.token', key), adminKey)
  await context.addInitScript(recordSends)
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error('page error:', error.message))
  const lists = []
  const scrolls = []
  for (let r = 0; r < ROUNDS; r++) {
    await page.goto(`${url}/b/exports/bench-list/`)
    const ready = await page.waitForFunction(
      (count) => {
        const status = document.querySelector('.listing-status')?.textContent ?? ''
        const rows = document.querySelectorAll('.rows-inner [role="row"]').length
        return status.replace(/\D/g, '') === String(count) && rows > 0 ? performance.now() : false
      },
      COUNT,
      { polling: 'raf', timeout: 120_000 },
    )
    lists.push(await ready.jsonValue())
    // Scroll the whole list, one step per frame, and keep the frame intervals.
    scrolls.push(
      await page.evaluate(async () => {
        const rows = document.querySelector('.rows')
        const frames = []
        let last = performance.now()
        while (rows.scrollTop + rows.clientHeight < rows.scrollHeight - 1) {
          rows.scrollTop += 2000
          await new Promise(requestAnimationFrame)
          const now = performance.now()
          frames.push(now - last)
          last = now
        }
        const lastName = document.querySelector('.rows-inner [role="row"]:last-child')?.textContent ?? ''
        frames.sort((a, b) => a - b)
        return {
          frames: frames.length,
          p95: frames[Math.floor(frames.length * 0.95)],
          max: frames.at(-1),
          rowsInDom: document.querySelectorAll('.rows-inner [role="row"]').length,
          lastName,
        }
      }),
    )
  }
  const small = []
  const large = []
  for (let r = 0; r < ROUNDS; r++) {
    small.push(await page.evaluate(dropAndTime, { name: `small-${r}.bin`, size: 256 * 1024 }))
    large.push(await page.evaluate(dropAndTime, { name: `large-${r}.bin`, size: 24 * 1024 * 1024 }))
  }
  const scroll = scrolls.at(-1)
  const result = {
    objects: COUNT,
    rounds: ROUNDS,
    listReadyMs: round(median(lists)),
    listReadyMsEach: lists.map(round),
    scrollFrames: scroll.frames,
    scrollFrameP95Ms: round(scroll.p95),
    scrollFrameMaxMs: round(scroll.max),
    rowsInDom: scroll.rowsInDom,
    smallDropToRequestMs: round(median(small.map((s) => s.request))),
    smallDropToProgressMs: round(median(small.map((s) => s.progress))),
    smallDoneMs: round(median(small.map((s) => s.done))),
    largeDropToRequestMs: round(median(large.map((s) => s.request))),
    largeFirstRequest: large[0].requestWhat,
    largeDropToProgressMs: round(median(large.map((s) => s.progress))),
    largeDoneMs: round(median(large.map((s) => s.done))),
  }
  console.log(`| objects | navigation → listing ready (ms) | scroll frame p95 / max (ms) | rows in DOM |`)
  console.log('| --- | --- | --- | --- |')
  console.log(
    `| ${COUNT} | ${result.listReadyMs} | ${result.scrollFrameP95Ms} / ${result.scrollFrameMaxMs} | ${result.rowsInDom} |`,
  )
  console.log()
  console.log('| drop of | → first request (ms) | → first progress shown (ms) | → stored (ms) |')
  console.log('| --- | --- | --- | --- |')
  console.log(
    `| 256 KiB (PUT) | ${result.smallDropToRequestMs} | ${result.smallDropToProgressMs} | ${result.smallDoneMs} |`,
  )
  console.log(
    `| 24 MiB (tus) | ${result.largeDropToRequestMs} | ${result.largeDropToProgressMs} | ${result.largeDoneMs} |`,
  )
  console.log(JSON.stringify(result))
} finally {
  await browser?.close()
  await stop()
}
