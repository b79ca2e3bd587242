#!/usr/bin/env node
/**
 * `coffer`: Coffer's REST API from the shell. See `coffer --help` for the commands, the configuration
 * (flags, environment, `coffer login` profiles) and the exit codes.
 */
import { EXIT } from './exit-codes.ts'
import { createProgram } from './program.ts'

const program = createProgram()

try {
  if (process.argv.length <= 2) {
    program.outputHelp()
    process.exit(EXIT.usage)
  }
  await program.parseAsync(process.argv)
} catch (error) {
  process.stderr.write(`coffer: ${error instanceof Error ? error.message : String(error)}\n`)
  if (program.opts().debug === true && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`)
  }
  // Loaded on failure only: the error classes it knows come with the client.
  process.exitCode = (await import('./exit-code-of.ts')).exitCodeOf(error)
}
