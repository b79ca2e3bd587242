import { execFile } from 'node:child_process'
import { Agent, createServer, type RequestListener } from 'node:http'
import type { AddressInfo, LookupFunction } from 'node:net'
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { type Browser, chromium } from 'playwright-core'
import { expect } from 'vitest'
import { isS3Error } from '../../src/s3/s3-error.ts'
import type { Harness } from '../harness.ts'

/** An API key with S3 credentials, as `POST /v1/keys` with `s3: true` issues it. */
export interface S3Key {
  id: string
  accessKeyId: string
  secretAccessKey: string
}

/** Creates an API key with S3 credentials through the REST API, as `coffer keys create --s3` does. */
export async function createS3Key(harness: Harness, scopes: unknown[]): Promise<S3Key> {
  const response = await harness.fetch('/v1/keys', {
    method: 'POST',
    token: harness.admin,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 's3 test key', scopes, s3: true }),
  })
  expect(response.status).toBe(201)
  const body = (await response.json()) as {
    key: { id: string }
    s3: { accessKeyId: string; secretAccessKey: string }
  }
  return { id: body.key.id, ...body.s3 }
}

/**
 * Resolves `localhost` and every name under it to loopback, as RFC 6761 §6.3 asks of resolvers
 * (browsers do; this machine's libc does not): virtual-host tests name `<bucket>.s3.localhost`.
 */
export const loopbackLookup: LookupFunction = (_host, options, callback) => {
  if (typeof options === 'object' && options.all === true)
    callback(null, [{ address: '127.0.0.1', family: 4 }])
  else callback(null, '127.0.0.1', 4)
}

/** An SDK client of the S3 endpoint signing with `key`; `config` overrides the test defaults. */
export function s3ClientOf(harness: Harness, key: S3Key, config: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    endpoint: harness.s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ lookup: loopbackLookup }) }),
    ...config,
  })
}

/** What a client process did. */
export interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs a client to its end (at most a minute), never through a shell. */
export function runClient(file: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
  })
}

/** The environment of Debian's aws-cli and boto3 signing with `key`, with no other configuration. */
export function awsEnv(home: string, key: S3Key, configFile: string): Record<string, string> {
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: `${home}/no-credentials`,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  }
}

/**
 * Python that resolves `*.localhost` to loopback (see {@link loopbackLookup}) before it runs what
 * follows: Debian's `aws` (`awscli.clidriver`) or a boto3 script, unchanged otherwise.
 */
export const PY_LOOPBACK = `
import socket
_lookup = socket.getaddrinfo
def _loopback(host, *args, **kwargs):
    if isinstance(host, str) and (host == 'localhost' or host.endswith('.localhost')):
        host = '127.0.0.1'
    return _lookup(host, *args, **kwargs)
socket.getaddrinfo = _loopback
`

/**
 * Runs a boto3 script (Debian's `python3-boto3`) against `endpoint` as `key`: the script finds
 * `s3` (a path-style client), `json` and `sys` (its arguments follow the endpoint) and prints one
 * JSON value, which is returned.
 */
export async function runBoto3(
  endpoint: string,
  key: S3Key,
  body: string,
  ...args: string[]
): Promise<unknown> {
  const script = `import boto3, json, sys
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=sys.argv[1], config=Config(s3={'addressing_style': 'path'}))
${body}`
  const result = await runClient(
    '/usr/bin/python3',
    ['-c', script, endpoint, ...args],
    awsEnv('/tmp', key, '/dev/null'),
  )
  expect(result.code, result.stderr).toBe(0)
  return JSON.parse(result.stdout)
}

/** The S3 error code `run` throws, or 'ok' (anything else thrown, as text). */
export function s3CodeOf(run: () => unknown): string {
  try {
    run()
    return 'ok'
  } catch (error) {
    return isS3Error(error) ? error.code : String(error)
  }
}

/** The S3 error name a call fails with, or 'ok'. */
export async function sdkOutcome(run: Promise<unknown>): Promise<string> {
  try {
    await run
    return 'ok'
  } catch (error) {
    // A 304 has no body to name it: the SDK calls it Unknown, with the status beside.
    const { name, $metadata } = error as { name: string; $metadata?: { httpStatusCode?: number } }
    return name === 'Unknown' && $metadata?.httpStatusCode === 304 ? 'NotModified' : name
  }
}

/** Debian's chromium, as the other browser tests use it; no browser is ever downloaded. */
const CHROMIUM = process.env.COFFER_CHROMIUM ?? '/usr/bin/chromium'

/** A page origin of a browser test: a loopback HTTP server, and headless Chromium to visit it. */
export interface BrowserStage {
  /** The server's origin, `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly browser: Browser
  close(): Promise<void>
}

/** Starts `handler` on a free loopback port and Chromium beside it. */
export async function startBrowserStage(handler: RequestListener): Promise<BrowserStage> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] })
  return {
    url,
    browser,
    close: async () => {
      await browser.close()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
