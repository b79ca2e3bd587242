import { describe, expect, it } from 'vitest'
import { allowsOrigin, checkCorsRule, corsRuleOf, parseOriginList } from '../src/domain/buckets/cors-rule.ts'
import { loadConfig } from '../src/index.ts'

describe('CORS rules', () => {
  it('takes origins as browsers send them, and refuses what could never match', () => {
    expect(parseOriginList(' https://app.example.com, http://127.0.0.1:5173 ,*')).toEqual([
      'https://app.example.com',
      'http://127.0.0.1:5173',
      '*',
    ])
    expect(parseOriginList(undefined)).toEqual([])
    expect(parseOriginList('')).toEqual([])
    for (const bad of [
      'https://app.example.com/',
      'https://app.example.com/x',
      'app.example.com',
      'ftp://a.b',
      'null',
    ])
      expect(() => parseOriginList(bad)).toThrow(/is not an origin/)
    // The default port is not part of an origin's serialization (RFC 6454 §6.2).
    expect(() => parseOriginList('https://app.example.com:443')).toThrow(/is not an origin/)
  })

  it('checks a policy rule: methods, header names, duplicates', () => {
    expect(
      checkCorsRule({
        origins: ['https://a.example', 'https://a.example'],
        methods: ['get', 'PUT'] as never,
        headers: ['Content-Type', 'x-coffer-meta-owner'],
        maxAge: 60,
      }),
    ).toEqual({
      origins: ['https://a.example'],
      methods: ['GET', 'PUT'],
      headers: ['content-type', 'x-coffer-meta-owner'],
      maxAge: 60,
    })
    expect(() => checkCorsRule({ origins: [], methods: ['TRACE'] as never })).toThrow(/CORS methods are/)
    expect(() => checkCorsRule({ origins: [], headers: ['bad header'] })).toThrow(/is not a header name/)
  })

  it('allows nothing without a rule, or with an unreadable stored one', () => {
    expect(allowsOrigin(undefined, 'https://a.example')).toBe(false)
    expect(allowsOrigin(corsRuleOf('{not json'), 'https://a.example')).toBe(false)
    expect(corsRuleOf(null)).toBeUndefined()
    const rule = corsRuleOf('{"origins":["https://a.example"]}')
    expect(allowsOrigin(rule, 'https://a.example')).toBe(true)
    expect(allowsOrigin(rule, 'https://b.example')).toBe(false)
    expect(allowsOrigin({ origins: ['*'] }, 'https://b.example')).toBe(true)
  })

  it('reads COFFER_CORS_ORIGINS as the service default, and names a bad one', () => {
    const origins = 'https://app.example.com,http://localhost:5173'
    expect(loadConfig({ COFFER_CORS_ORIGINS: origins }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ])
    expect(loadConfig({}).corsOrigins).toBeUndefined()
    expect(() => loadConfig({ COFFER_CORS_ORIGINS: 'app.example.com' })).toThrow(
      /COFFER_CORS_ORIGINS: "app\.example\.com" is not an origin/,
    )
  })
})
