/**
 * The app builder's backend: `npm start -w @coffer/example-app-builder` with COFFER_URL,
 * COFFER_CONTENT_URL, COFFER_KEY (an API key with admin on documents, prototypes, exports and avatars)
 * and COFFER_JWT_SECRET (the same as Coffer's). Listens on PORT (default 3000).
 */
import { CofferClient } from '@coffer/client'
import { buildApp } from './app.ts'

/** A variable the backend cannot run without: a missing one ends the process with a one-line reason. */
function required(name: string): string {
  const value = process.env[name]
  if (value !== undefined && value !== '') return value
  process.stderr.write(`app-builder: ${name} is required (see examples/app-builder/README.md)\n`)
  process.exit(1)
}

const coffer = new CofferClient({
  url: process.env.COFFER_URL ?? 'http://127.0.0.1:7373',
  contentUrl: process.env.COFFER_CONTENT_URL ?? 'http://127.0.0.1:7374',
  token: required('COFFER_KEY'),
})
const app = await buildApp({ coffer, jwtSecret: required('COFFER_JWT_SECRET') })
const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
process.stdout.write(`app builder backend at ${address}\n`)
