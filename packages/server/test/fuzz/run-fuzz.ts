import { parseArgs } from 'node:util'
import { formatReport, fuzz } from './fuzzer.ts'

/**
 * `npm run test:fuzz`: the HTTP API fuzzer for longer runs than `npm run check` makes.
 *
 *   npm run test:fuzz                                  random seed, FUZZ_RUNS cases (5000), FUZZ_SECONDS (600)
 *   npm run test:fuzz -- --seed 42 --runs 20000 --seconds 3600
 *   npm run test:fuzz -- --seed 42 --path 17           replays case 17 of seed 42, printing every exchange
 *   npm run test:fuzz -- --only s3                     only the S3 endpoint's cases (`api`: only the others)
 *   npm run test:fuzz -- --no-races                    no requests writing one key at once
 *
 * FUZZ_SEED and FUZZ_PATH work as --seed and --path. Exits 1 when a failure was found. A case id
 * names the same requests only for the same generators: replay with the commit that reported it.
 */
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: process.env.FUZZ_SEED },
    path: { type: 'string', default: process.env.FUZZ_PATH },
    runs: { type: 'string', default: process.env.FUZZ_RUNS ?? '5000' },
    seconds: { type: 'string', default: process.env.FUZZ_SECONDS ?? '600' },
    only: { type: 'string', default: process.env.FUZZ_ONLY },
    'no-races': { type: 'boolean', default: process.env.FUZZ_NO_RACES === '1' },
  },
})
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed)
const options = {
  seed,
  runs: Number(values.runs),
  seconds: Number(values.seconds),
  log: (line: string) => console.log(line),
}
if (values.path !== undefined) Object.assign(options, { path: values.path })
if (values.only === 's3' || values.only === 'api') Object.assign(options, { only: values.only })
if (values['no-races']) Object.assign(options, { races: false })
console.log(
  `fuzz: seed ${seed}${values.path === undefined ? `, up to ${options.runs} cases in ${options.seconds} s` : `, replaying case ${values.path}`}`,
)
// Ctrl-C ends the run through process.exit, whose listeners stop the service under test.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
const report = await fuzz(options)
console.log(`\n${formatReport(report)}`)
process.exitCode = report.failures.length > 0 ? 1 : 0
