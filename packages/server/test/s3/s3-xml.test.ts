import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { isS3Error, S3Error } from '../../src/s3/s3-error.ts'
import { buildS3Xml, errorXml, parseS3Xml } from '../../src/s3/s3-xml.ts'

const reader = new XMLParser({ ignoreAttributes: false, parseTagValue: false })

describe('S3 XML documents', () => {
  it('writes error documents with the code, the message, the resource and the request id', () => {
    const error = new S3Error('RequestTimeTooSkewed', 'too far', {
      details: { MaxAllowedSkewMilliseconds: 900000 },
    })
    const xml = errorXml(error, { resource: '/b/<k>&"\'', requestId: 'r-1' })
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><Error>')).toBe(true)
    expect(reader.parse(xml).Error).toEqual({
      Code: 'RequestTimeTooSkewed',
      Message: 'too far',
      MaxAllowedSkewMilliseconds: '900000',
      Resource: '/b/<k>&"\'',
      RequestId: 'r-1',
    })
    expect(error.status).toBe(403)
  })

  it('keeps user data from ever becoming markup, and every document well-formed', () => {
    const key = 'a</Key><Injected>x</Injected>\u0001\ud800]]>'
    const xml = buildS3Xml('ListBucketResult', { Name: 'b', Contents: [{ Key: key }, { Key: '007' }] })
    const parsed = reader.parse(xml, true).ListBucketResult
    expect(parsed['@_xmlns']).toBe('http://s3.amazonaws.com/doc/2006-03-01/')
    expect(parsed.Injected).toBeUndefined()
    expect(parsed.Contents).toEqual([{ Key: 'a</Key><Injected>x</Injected>\ufffd\ufffd]]>' }, { Key: '007' }])
  })

  it('parses request documents as strings and refuses DOCTYPEs and malformed XML', () => {
    const parsed = parseS3Xml('<Delete><Quiet>true</Quiet><Object><Key>007</Key></Object></Delete>')
    expect(parsed).toEqual({ Delete: { Quiet: 'true', Object: { Key: '007' } } })
    // Character references, as Go's encoder writes quotes, tabs and newlines (rclone's ETags).
    const go = parseS3Xml('<Part><ETag>&#34;abc&#34;</ETag><Key>a&#x9;b&#xA;&amp;</Key></Part>')
    expect(go).toEqual({ Part: { ETag: '"abc"', Key: 'a\tb\n&' } })
    const bomb =
      '<!DOCTYPE d [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key></Object></Delete>'
    for (const text of [bomb, '<Delete><Object></Delete>', '<a>']) {
      let thrown: unknown
      try {
        parseS3Xml(text)
      } catch (error) {
        thrown = error
      }
      expect(isS3Error(thrown, 'MalformedXML'), text).toBe(true)
    }
  })
})
