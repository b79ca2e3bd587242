/** RFC 9110 §5.6.2 `tchar`, the same set as WHATWG's "HTTP token code points". */
const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/

/** Which characters a quoted-string may hold (besides `"` and `\`, which it holds escaped). */
export type QuotedText = (char: string) => boolean

/**
 * A cursor over one header value, for the RFC 9110 grammar of the headers Coffer parses
 * (`Content-Type`, `Content-Disposition`): tokens, quoted-strings, OWS and `;` parameters.
 */
export class HeaderScanner {
  pos = 0
  readonly text: string

  constructor(text: string) {
    this.text = text
  }

  get done(): boolean {
    return this.pos >= this.text.length
  }

  peek(): string {
    return this.text.charAt(this.pos)
  }

  /** Consumes `char` if it comes next. */
  eat(char: string): boolean {
    if (this.peek() !== char) return false
    this.pos++
    return true
  }

  /** Skips OWS (spaces and tabs). */
  ows(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++
  }

  /** A token (one or more `tchar`), or undefined. */
  token(): string | undefined {
    const start = this.pos
    while (!this.done && TCHAR.test(this.peek())) this.pos++
    return this.pos > start ? this.text.slice(start, this.pos) : undefined
  }

  /** A quoted-string, unquoted, or undefined when it is unterminated or holds a refused character. */
  quoted(allowed: QuotedText): string | undefined {
    if (!this.eat('"')) return undefined
    let value = ''
    for (;;) {
      if (this.done) return undefined
      let char = this.peek()
      this.pos++
      if (char === '"') return value
      if (char === '\\') {
        char = this.peek()
        this.pos++
        if (char === '"' || char === '\\') {
          value += char
          continue
        }
      }
      if (char === '' || !allowed(char)) return undefined
      value += char
    }
  }

  /**
   * The `; name=value` parameters up to the end (token or quoted-string values; empty parameters,
   * which RFC 9110 allows, are skipped). Names are lower-cased; a repeated name fails, since readers
   * disagree on which one counts. Undefined when the syntax does not hold.
   */
  parameters(allowed: QuotedText): Map<string, string> | undefined {
    const parameters = new Map<string, string>()
    for (;;) {
      this.ows()
      if (this.done) return parameters
      if (!this.eat(';')) return undefined
      this.ows()
      if (this.done || this.peek() === ';') continue
      const name = this.token()?.toLowerCase()
      if (name === undefined || !this.eat('=') || parameters.has(name)) return undefined
      const value = this.peek() === '"' ? this.quoted(allowed) : this.token()
      if (value === undefined) return undefined
      parameters.set(name, value)
    }
  }
}

/** A parameter value as a token when it is one, else as a quoted-string (WHATWG's serialisation). */
export function quoteIfNeeded(value: string): string {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`
}
