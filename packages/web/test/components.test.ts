// @vitest-environment happy-dom

import { CofferError } from '@coffer/client'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { createElement } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { policyOf } from '../src/components/bucket-form.tsx'
import { SignIn } from '../src/components/sign-in.tsx'
import { interruptedHint, UploadPanel } from '../src/components/upload-panel.tsx'
import { UsageBar } from '../src/components/usage-bar.tsx'
import { parseCsv, previewKindOf } from '../src/lib/preview-kind.ts'
import { session, takeTokenFromHash } from '../src/lib/session.ts'
import { UploadQueue } from '../src/upload/upload-queue.ts'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('sign in', () => {
  it('checks the key against the server and keeps it only when it works', async () => {
    const fetch = vi.fn(async (_url: string, init: RequestInit) => {
      const ok = new Headers(init.headers).get('authorization') === 'Bearer cfr_good'
      const body = ok
        ? { buckets: [] }
        : { status: 401, detail: 'no valid credential', code: 'MissingCredentials' }
      return new Response(JSON.stringify(body), { status: ok ? 200 : 401 })
    })
    vi.stubGlobal('fetch', fetch)
    const onSignIn = vi.fn()
    render(createElement(SignIn, { onSignIn }))
    const input = screen.getByLabelText('API key')
    fireEvent.change(input, { target: { value: 'cfr_bad' } })
    await act(async () => fireEvent.submit(input.closest('form') as HTMLFormElement))
    expect((await screen.findByRole('alert')).textContent).toContain('no valid credential')
    expect(onSignIn).not.toHaveBeenCalled()
    fireEvent.change(input, { target: { value: ' cfr_good ' } })
    await act(async () => fireEvent.submit(input.closest('form') as HTMLFormElement))
    expect(onSignIn).toHaveBeenCalledWith('cfr_good')
  })

  it('takes a token from a sign-in link and removes it from the address', () => {
    const replaceState = vi.fn()
    const token = takeTokenFromHash({ hash: '#token=abc.def&x=1', pathname: '/b/docs/', search: '?q' }, {
      replaceState,
    } as unknown as History)
    expect(token).toBe('abc.def')
    expect(replaceState).toHaveBeenCalledWith(null, '', '/b/docs/?q#x=1')
    expect(takeTokenFromHash({ hash: '', pathname: '/', search: '' }, history)).toBeUndefined()
    session.set('k')
    expect(sessionStorage.getItem('coffer.token')).toBe('k')
    session.clear()
    expect(session.get()).toBeUndefined()
  })
})

describe('usage', () => {
  it('shows a meter against the quota, and only figures without one', () => {
    render(createElement(UsageBar, { usage: { bytes: 512, objects: 3, quotaBytes: 1024 }, label: 'Used' }))
    const meter = screen.getByLabelText('Used')
    expect(meter.getAttribute('value')).toBe('512')
    expect(meter.getAttribute('max')).toBe('1024')
    expect(screen.getByText('512 B of 1.0 KB · 3 objects')).toBeTruthy()
    cleanup()
    render(createElement(UsageBar, { usage: { bytes: 2048, objects: 1 }, label: 'Used' }))
    expect(screen.queryByLabelText('Used')).toBeNull()
    expect(screen.getByText('2.0 KB · 1 objects')).toBeTruthy()
  })
})

describe('the upload panel', () => {
  it('shows progress per file and in total, and the error of a failed file', async () => {
    let fail: (error: unknown) => void = () => undefined
    const queue = new UploadQueue(
      (task) =>
        new Promise((_resolve, reject) => {
          task.onProgress(task.file.size / 2)
          fail = reject
        }),
    )
    render(createElement(UploadPanel, { queue }))
    act(() => {
      queue.add('docs', '', [{ file: new File([new Uint8Array(100)], 'a.bin'), path: 'a.bin' }])
    })
    expect(screen.getByText('Uploading 1 file · 50%')).toBeTruthy()
    expect(screen.getByLabelText('Progress of a.bin').getAttribute('value')).toBe('50')
    await act(async () => fail(new CofferError('UnsupportedMediaType', 415, 'text/html is not allowed here')))
    expect(screen.getByRole('alert').textContent).toBe(
      'This bucket does not accept this type of file — text/html is not allowed here',
    )
    // The bucket refused it: trying again would not help.
    expect(screen.queryByRole('button', { name: 'Retry a.bin' })).toBeNull()
  })
})

describe('interrupted uploads', () => {
  it('names those tus kept in localStorage, except the ones in the queue now', () => {
    localStorage.clear()
    localStorage.setItem('tus::coffer:docs/a/b.bin:100:5::123', '{}')
    localStorage.setItem('tus::coffer:docs/c.bin:7:5::456', '{}')
    localStorage.setItem('unrelated', 'x')
    const moving = {
      id: 1,
      bucket: 'docs',
      key: 'c.bin',
      size: 7,
      sent: 0,
      state: 'uploading',
      resumable: true,
    } as const
    expect(interruptedHint([moving])).toBe(
      'Interrupted uploads: docs/a/b.bin. Upload the same files to the same folders to resume them.',
    )
    localStorage.clear()
    expect(interruptedHint([])).toBeUndefined()
  })
})

describe('forms and previews', () => {
  it('turns policy fields into a policy; empty fields clear limits when editing', () => {
    const fields = {
      public: true,
      maxFileSize: '5 MB',
      allowedTypes: 'image/*, application/pdf',
      quotaBytes: '',
      quotaObjects: '',
    }
    expect(policyOf(fields, false)).toEqual({
      public: true,
      maxFileSize: 5 * 1024 * 1024,
      allowedTypes: ['image/*', 'application/pdf'],
    })
    expect(policyOf({ ...fields, maxFileSize: '', allowedTypes: '', quotaObjects: '10' }, true)).toEqual({
      public: true,
      maxFileSize: null,
      allowedTypes: null,
      quotaBytes: null,
      quotaObjects: 10,
    })
    expect(() => policyOf({ ...fields, maxFileSize: 'big' }, false)).toThrow(/Largest file/)
  })

  it('previews by type; SVG is never shown inline', () => {
    expect(previewKindOf('image/png')).toBe('image')
    expect(previewKindOf('image/svg+xml')).toBe('none')
    expect(previewKindOf('application/pdf')).toBe('pdf')
    expect(previewKindOf('application/json; charset=utf-8')).toBe('text')
    expect(previewKindOf('text/csv')).toBe('csv')
    expect(previewKindOf('video/mp4')).toBe('video')
    expect(previewKindOf('application/zip')).toBe('none')
    // Type lists and broken parameters, which browsers may read as another type, are never previewed.
    expect(previewKindOf('application/pdf;,text/html')).toBe('none')
    expect(previewKindOf('image/png, text/html')).toBe('none')
    expect(previewKindOf('text/plain; charset="utf-8"')).toBe('text')
    expect(previewKindOf('text/plain; charset')).toBe('none')
    expect(parseCsv('a,"b,c","say ""hi"""\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', '2', '3'],
    ])
  })
})
