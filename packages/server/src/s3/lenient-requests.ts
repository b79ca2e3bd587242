import type { IncomingMessage } from 'node:http'
import type { App } from '../http/typed-app.ts'

/** A media type as Fastify parses one: `type/subtype`, each an RFC 9110 token, then parameters. */
const MEDIA_TYPE = /^\s*[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+\s*(;|$)/

/** The `Content-Type` a request came with, while a stand-in takes its place for Fastify. */
const sentType = new WeakMap<IncomingMessage, string>()

/**
 * Lets through two things S3 accepts and Node or Fastify would refuse before an operation runs:
 *
 * - an `Expect` other than `100-continue` (`Expect: 200`, an empty one): RFC 9110 §10.1.1 lets a
 *   server ignore an expectation it does not know, and S3 does, where Node answers 417;
 * - any `Content-Type`, such as an empty one (`ContentType=''` in boto3): S3 stores the text as it
 *   came, where Fastify answers 415 before the route runs. Such a header is set aside while Fastify
 *   reads the request and put back before the operation, which signs and stores it as sent.
 */
export function acceptWhatS3Accepts(app: App): void {
  app.server.on('checkExpectation', (request, response) => app.server.emit('request', request, response))
  app.addHook('onRequest', (request, _reply, done) => {
    const type = request.raw.headers['content-type']
    if (type !== undefined && !MEDIA_TYPE.test(type)) {
      sentType.set(request.raw, type)
      request.raw.headers['content-type'] = 'application/octet-stream'
    }
    done()
  })
  app.addHook('preHandler', (request, _reply, done) => {
    const type = sentType.get(request.raw)
    if (type !== undefined) request.raw.headers['content-type'] = type
    done()
  })
}
