import { peopleWords } from './people-words.ts'

/** An RFC 9457 problem document, as Coffer sends it with every error. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  code?: string
}

/** What a failed request means for a person, in words, per status. */
const HINTS: Record<number, string> = {
  401: 'Your key is missing, expired or revoked; sign in again',
  403: 'Your key does not allow this',
  413: 'Too large for this bucket',
  415: 'This bucket does not accept this type of file',
  507: 'The bucket is over its quota',
}

/** A failed API request: the HTTP status and the server's problem document, when it sent one. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly detail: string

  constructor(status: number, problem: Problem = {}) {
    const detail = problem.detail ?? problem.title ?? `HTTP ${status}`
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.code = problem.code ?? (status === 0 ? 'NetworkError' : 'HttpError')
    this.detail = detail
  }

  /** A sentence for the UI: what the status means, then the server's words made readable. */
  get display(): string {
    const hint = HINTS[this.status]
    const words = peopleWords(this.detail)
    return hint === undefined ? words : `${hint} — ${words}`
  }
}

/** Parses a problem document from a response body; a body that is not one gives `{}`. */
export function parseProblem(text: string): Problem {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Problem) : {}
  } catch {
    return {}
  }
}

/** The error of a failed `fetch` response, read from its problem document. */
export async function errorOf(response: Response): Promise<ApiError> {
  return new ApiError(response.status, parseProblem(await response.text()))
}

/** A message for anything thrown: ApiErrors say what the server said. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.display
  if (error instanceof Error) return error.message
  return String(error)
}
