import { describe, expect, it } from 'vitest'
import { checkPostPolicy, parsePostPolicy } from '../../src/s3/post-policy.ts'
import { parseTaggingHeader, parseTaggingXml, taggingXml } from '../../src/s3/tag-set.ts'
import { s3CodeOf } from './s3-test-clients.ts'

const encode = (document: unknown) => Buffer.from(JSON.stringify(document)).toString('base64')
const NOW = Date.parse('2026-06-01T00:00:00Z')
const LATER = '2026-06-01T01:00:00Z'

const codeOf = s3CodeOf

describe('POST policies', () => {
  it('reads conditions of every form, field names in lower case', () => {
    const policy = parsePostPolicy(
      encode({
        expiration: LATER,
        conditions: [
          { bucket: 'docs', 'X-Amz-Meta-Who': 'zoe' },
          ['starts-with', '$Key', 'up/'],
          ['eq', '$success_action_status', '201'],
          ['content-length-range', '1', 1024],
        ],
      }),
    )
    expect(policy.conditions).toEqual([
      { kind: 'eq', field: 'bucket', value: 'docs' },
      { kind: 'eq', field: 'x-amz-meta-who', value: 'zoe' },
      { kind: 'starts-with', field: 'key', value: 'up/' },
      { kind: 'eq', field: 'success_action_status', value: '201' },
      { kind: 'content-length-range', min: 1, max: 1024 },
    ])
  })

  it('refuses what is not a policy with InvalidPolicyDocument', () => {
    for (const document of [
      'not json',
      { conditions: [] },
      { expiration: 'soon', conditions: [] },
      { expiration: LATER },
      { expiration: LATER, conditions: [['eq', 'key', 'x']] },
      { expiration: LATER, conditions: [['matches', '$key', 'x']] },
      { expiration: LATER, conditions: [['content-length-range', 10, 1]] },
      { expiration: LATER, conditions: [['content-length-range', -1, 1]] },
      { expiration: LATER, conditions: [{ key: 7 }] },
      { expiration: LATER, conditions: [{}] },
    ]) {
      const text = typeof document === 'string' ? Buffer.from(document).toString('base64') : encode(document)
      expect(
        codeOf(() => parsePostPolicy(text)),
        JSON.stringify(document),
      ).toBe('InvalidPolicyDocument')
    }
  })

  it('holds a form to every condition, its expiry and no field left unnamed', () => {
    const policy = parsePostPolicy(
      encode({
        expiration: LATER,
        conditions: [{ bucket: 'docs' }, ['starts-with', '$key', 'up/'], ['content-length-range', 0, 9]],
      }),
    )
    const form = (fields: Record<string, string>) =>
      new Map(Object.entries({ policy: 'p', 'x-amz-signature': 's', ...fields }))
    expect(checkPostPolicy(policy, form({ key: 'up/a' }), 'docs', NOW)).toEqual({ min: 0, max: 9 })
    // Exempt fields need no condition: the policy, the signature, the file and x-ignore-*.
    expect(
      codeOf(() => checkPostPolicy(policy, form({ key: 'up/a', 'x-ignore-me': '1' }), 'docs', NOW)),
    ).toBe('ok')
    expect(codeOf(() => checkPostPolicy(policy, form({ key: 'down/a' }), 'docs', NOW))).toBe('AccessDenied')
    expect(codeOf(() => checkPostPolicy(policy, form({ key: 'up/a' }), 'other', NOW))).toBe('AccessDenied')
    expect(codeOf(() => checkPostPolicy(policy, form({}), 'docs', NOW))).toBe('AccessDenied')
    expect(
      codeOf(() => checkPostPolicy(policy, form({ key: 'up/a', acl: 'public-read' }), 'docs', NOW)),
    ).toBe('AccessDenied')
    expect(codeOf(() => checkPostPolicy(policy, form({ key: 'up/a' }), 'docs', Date.parse(LATER)))).toBe(
      'AccessDenied',
    )
  })

  it('holds a key condition by the key as sent or as the object is named, the file name put in', () => {
    const filename = ['$', '{filename}'].join('')
    const policy = (condition: unknown) =>
      parsePostPolicy(encode({ expiration: LATER, conditions: [condition] }))
    const form = new Map([['key', filename]])
    const startsWith = policy(['starts-with', '$key', 'up/'])
    expect(codeOf(() => checkPostPolicy(startsWith, form, 'docs', NOW, 'up/a.txt'))).toBe('ok')
    expect(codeOf(() => checkPostPolicy(startsWith, form, 'docs', NOW, 'down/a.txt'))).toBe('AccessDenied')
    // A policy naming the placeholder itself (as some clients sign it) holds for the field as sent.
    const literal = policy({ key: `up/${filename}` })
    const sent = new Map([['key', `up/${filename}`]])
    expect(codeOf(() => checkPostPolicy(literal, sent, 'docs', NOW, 'up/a.txt'))).toBe('ok')
    expect(codeOf(() => checkPostPolicy(literal, form, 'docs', NOW, 'up/a.txt'))).toBe('AccessDenied')
  })
})

describe('tag sets', () => {
  it('reads x-amz-tagging and Tagging documents, and writes them back', () => {
    expect(parseTaggingHeader('a=1&b=two+words&c=%C3%BC&d=')).toEqual([
      ['a', '1'],
      ['b', 'two words'],
      ['c', 'ü'],
      ['d', ''],
    ])
    const xml = taggingXml([
      ['k', 'v: a/b @c+='],
      ['e', ''],
    ])
    expect(parseTaggingXml(xml)).toEqual([
      ['k', 'v: a/b @c+='],
      ['e', ''],
    ])
    expect(parseTaggingXml('<Tagging><TagSet></TagSet></Tagging>')).toEqual([])
  })

  it('refuses what S3 refuses', () => {
    expect(codeOf(() => parseTaggingHeader('a=%zz'))).toBe('InvalidArgument')
    expect(codeOf(() => parseTaggingHeader('=v'))).toBe('InvalidTag')
    expect(codeOf(() => parseTaggingXml('<Tagging></Tagging>'))).toBe('MalformedXML')
    expect(
      codeOf(() => parseTaggingXml('<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>')),
    ).toBe('MalformedXML')
    expect(codeOf(() => parseTaggingHeader(`${'k'.repeat(128)}=${'v'.repeat(256)}`))).toBe('ok')
    expect(codeOf(() => parseTaggingHeader('AWS:x=1'))).toBe('InvalidTag')
  })
})
