import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { S3TestServer } from './s3-test-server.ts'

const exec = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Starts a throwaway single-node Ceph (one mon, one memstore osd, radosgw) on 127.0.0.1 inside
 * a fresh temp directory (created under `opts.dir`, default the OS temp dir), with a test user.
 * Needs the Ceph packages (`scripts/install-ceph.sh`). RGW listens on `opts.port` if given and
 * free, otherwise on an ephemeral port; the mon always gets ephemeral ports so that another
 * Ceph on the machine doesn't clash. Takes 1-2 s.
 */
export async function startCeph(opts: { dir?: string; port?: number } = {}): Promise<S3TestServer> {
  for (const bin of ['ceph-mon', 'ceph-osd', 'radosgw']) {
    if (spawnSync(bin, ['--version']).status !== 0) {
      throw new Error(`startCeph: ${bin} is not installed; run scripts/install-ceph.sh`)
    }
  }
  const dir = mkdtempSync(join(opts.dir ?? tmpdir(), 'coffer-ceph-'))
  const procs: Daemon[] = []
  const stop = async () => {
    // Reverse start order: rgw, osd, mon. The data lives in memory, so SIGKILL loses nothing
    // and skips the osd's slow dump of its memstore to disk on a clean shutdown.
    for (const d of procs.reverse()) await kill(d.child)
    procs.length = 0
    await rm(dir, { recursive: true, force: true })
  }
  try {
    // Ephemeral by default: test files start Cephs in parallel, and a preferred port that is free when
    // probed can be taken by a sibling before radosgw binds it (beast reuses addresses, so both bind).
    const [rgwPort, monV2, monV1] = await freePorts([opts.port ?? 0, 0, 0])
    const monAddr = `[v2:127.0.0.1:${monV2},v1:127.0.0.1:${monV1}]`
    const [fsid, osdUuid] = [randomUUID(), randomUUID()]
    for (const sub of ['run', 'log', 'mon/a', 'osd/0', 'rgw']) mkdirSync(join(dir, sub), { recursive: true })
    writeFileSync(join(dir, 'ceph.conf'), cephConf(dir, fsid, monAddr, `127.0.0.1:${rgwPort}`))
    writeKeyrings(dir)
    const conf = ['-c', join(dir, 'ceph.conf')]
    const monmap = join(dir, 'monmap')
    await run('monmaptool', ['--create', '--addv', 'a', monAddr, '--fsid', fsid, monmap])
    const monKeyring = join(dir, 'mon.keyring')
    await run('ceph-mon', [...conf, '--mkfs', '-i', 'a', '--monmap', monmap, '--keyring', monKeyring])
    procs.push(daemon(dir, 'mon.a', 'ceph-mon', [...conf, '-i', 'a', '-f']))

    // The rest overlaps the mon's start: `ceph` commands retry until the mon answers, and the
    // osd's store is made offline (hence --no-mon-config). The rgw data pools are made up front,
    // as rgw otherwise creates them on first use, ~2 s each for CreateBucket and PutObject.
    const mkfs = run('ceph-osd', [...conf, '-i', '0', '--no-mon-config', '--mkfs', '--osd-uuid', osdUuid])
    const osdNew = ceph(conf, [`osd new ${osdUuid} 0`])
    const pools = ['default.rgw.buckets.index', 'default.rgw.buckets.data', 'default.rgw.buckets.non-ec']
    const poolsMade = ceph(
      conf,
      pools.flatMap((p) => [`osd pool create ${p} 8 8`, `osd pool application enable ${p} rgw`]),
    )
    poolsMade.catch(() => {}) // awaited below; this keeps an early failure from being "unhandled"
    await Promise.all([mkfs, osdNew])
    // The osd only after `osd new`: otherwise its own boot-time crush commands race with it (EAGAIN).
    procs.push(daemon(dir, 'osd.0', 'ceph-osd', [...conf, '-i', '0', '-f']))
    const [mon, osd] = procs
    await waitFor('ceph-mon to become leader', 15_000, mon, async () => {
      return (await adminSocket(join(dir, 'run/mon.a.asok'), 'mon_status')).state === 'leader'
    })
    await waitFor('ceph-osd to become active', 20_000, osd, async () => {
      return (await adminSocket(join(dir, 'run/osd.0.asok'), 'status')).state === 'active'
    })
    // rgw only now: started before the osd is up, its first read sometimes waits ~5 s (the
    // objecter's tick) for the new osd map.
    procs.push(daemon(dir, 'client.rgw.a', 'radosgw', [...conf, '-n', 'client.rgw.a', '-f']))
    await poolsMade
    const endpoint = `http://127.0.0.1:${rgwPort}`
    await waitFor(`radosgw to answer on ${endpoint}`, 20_000, procs[2], async () => {
      const res = await fetch(endpoint, { signal: AbortSignal.timeout(1000) })
      await res.body?.cancel()
      return true
    })

    const accessKeyId = randomBytes(10).toString('hex').toUpperCase()
    const secretAccessKey = randomBytes(20).toString('hex')
    const keys = [`--access-key=${accessKeyId}`, `--secret-key=${secretAccessKey}`]
    const user = ['user', 'create', '--uid=tester', '--display-name=tester']
    await run('radosgw-admin', [...conf, '-n', 'client.admin', ...user, ...keys])
    const region = 'us-east-1'
    return { name: 'ceph', endpoint, region, accessKeyId, secretAccessKey, verifiesSignatures: true, stop }
  } catch (err) {
    const logs = procs.map((d) => `\n--- ${d.name} log tail ---\n${d.tail()}`).join('')
    await stop()
    throw new Error(`startCeph failed: ${(err as Error).message}${logs}`, { cause: err })
  }
}

function cephConf(dir: string, fsid: string, monAddr: string, rgwAddr: string): string {
  return `[global]
fsid = ${fsid}
mon_host = ${monAddr}
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
run_dir = ${dir}/run
admin_socket = ${dir}/run/$name.asok
log_file = ${dir}/log/$name.log
pid_file = ${dir}/run/$name.pid
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_max_pg_per_osd = 1000
mon_warn_on_pool_no_redundancy = false
# Commit cluster-map changes every 10 ms instead of every 1 s: bring-up ~13 s -> ~1.6 s.
paxos_propose_interval = 0.01
paxos_min_wait = 0.001
[client]
keyring = ${dir}/$name.keyring
[mon]
mon_data = ${dir}/mon/$id
[osd]
keyring = ${dir}/$name.keyring
osd_data = ${dir}/osd/$id
osd_objectstore = memstore
# Objects live in the OSD's memory: room for benchmarks of several 1 GiB objects.
memstore_device_bytes = 8589934592
[client.rgw.a]
# Free deleted objects' data at once (the default waits 2 hours), so repeated runs don't fill memstore.
rgw_gc_obj_min_wait = 0
rgw_gc_processor_period = 5
# Without tcp_nodelay every GetObject waits ~48 ms on delayed ACKs.
rgw_frontends = beast endpoint=${rgwAddr} tcp_nodelay=1
rgw_data = ${dir}/rgw
rgw_dns_name = localhost
`
}

/**
 * Writes the keyrings, as `ceph-authtool --gen-key` would but without 8 process starts. The
 * mon's keyring holds every entity, so all of them exist in the cluster from `mkfs` on.
 */
function writeKeyrings(dir: string): void {
  const entities: Record<string, Record<string, string>> = {
    'mon.': { mon: 'allow *' },
    'client.admin': { mon: 'allow *', osd: 'allow *', mgr: 'allow *', mds: 'allow *' },
    'client.rgw.a': { mon: 'allow rw', osd: 'allow rwx', mgr: 'allow rw' },
    'osd.0': { mon: 'allow profile osd', osd: 'allow *', mgr: 'allow profile osd' },
  }
  let all = ''
  for (const [name, caps] of Object.entries(entities)) {
    // A cephx key: u16 type (1 = AES), u32 sec + u32 nsec created, u16 length, 16 secret bytes.
    const key = Buffer.alloc(28)
    key.writeUInt16LE(1, 0)
    key.writeUInt32LE(Math.floor(Date.now() / 1000), 2)
    key.writeUInt16LE(16, 10)
    randomBytes(16).copy(key, 12)
    const capLines = Object.entries(caps).map(([k, v]) => `\tcaps ${k} = "${v}"\n`)
    const text = `[${name}]\n\tkey = ${key.toString('base64')}\n${capLines.join('')}`
    if (name !== 'mon.') writeFileSync(join(dir, `${name}.keyring`), text)
    all += text
  }
  writeFileSync(join(dir, 'mon.keyring'), all)
}

interface Daemon {
  name: string
  child: ChildProcess
  /** The last lines of the daemon's output and log file, for error messages. */
  tail(): string
}

/** Daemons still running; killed if the test process exits without calling stop(). */
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})
// setpriv has the kernel SIGKILL a daemon when its parent dies, even by SIGKILL (no 'exit' event).
const pdeathsig = spawnSync('setpriv', ['--help']).status === 0

/** Spawns a Ceph daemon in the foreground, its stdout and stderr appended to log/NAME.out. */
function daemon(dir: string, name: string, cmd: string, args: string[]): Daemon {
  const out = openSync(join(dir, 'log', `${name}.out`), 'a')
  const argv = pdeathsig ? ['--pdeathsig', 'KILL', '--', cmd, ...args] : args
  const child = spawn(pdeathsig ? 'setpriv' : cmd, argv, { stdio: ['ignore', out, out] })
  closeSync(out)
  live.add(child)
  child.on('exit', () => live.delete(child))
  child.on('error', () => live.delete(child))
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, 'log', f), 'utf8')
    } catch {
      return ''
    }
  }
  const tail = () => (read(`${name}.out`) + read(`${name}.log`)).trimEnd().split('\n').slice(-25).join('\n')
  return { name, child, tail }
}

/** SIGKILLs a child and waits (at most 5 s) for it to be gone. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  let timer: NodeJS.Timeout | undefined
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGKILL')
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))])
  clearTimeout(timer)
}

/** Polls `check` every 50 ms until it returns true; fails at once if the daemon exits. */
async function waitFor(what: string, ms: number, d: Daemon | undefined, check: () => Promise<boolean>) {
  const deadline = Date.now() + ms
  let last: unknown
  while (Date.now() < deadline) {
    const c = d?.child
    if (c && (c.exitCode !== null || c.signalCode !== null)) {
      throw new Error(`${d?.name} exited (${c.exitCode ?? c.signalCode}) while waiting for ${what}`)
    }
    try {
      if (await check()) return
    } catch (err) {
      last = err
    }
    await sleep(50)
  }
  const why = last ? ` (last error: ${(last as Error).message})` : ''
  throw new Error(`timed out after ${ms} ms waiting for ${what}${why}`)
}

/** Runs a command, at most 30 s; the error carries its stderr. */
async function run(cmd: string, args: string[]): Promise<string> {
  try {
    return (await exec(cmd, args, { timeout: 30_000, killSignal: 'SIGKILL' })).stdout
  } catch (err) {
    const e = err as Error & { stderr?: string; killed?: boolean }
    throw new Error(
      `${cmd} ${args.join(' ')} failed${e.killed ? ' (timed out)' : ''}: ${e.stderr || e.message}`,
    )
  }
}

/**
 * Runs mon commands through one `ceph` process (read from stdin), as each start of this
 * python tool costs ~0.3 s. In this mode it exits 0 even when a command fails: look at stderr.
 */
async function ceph(conf: string[], cmds: string[]): Promise<void> {
  const input = `${cmds.join('\n')}\n`
  const p = exec('ceph', [...conf, '--connect-timeout', '15'], { timeout: 30_000, killSignal: 'SIGKILL' })
  p.child.stdin?.end(input)
  const { stderr } = await p.catch((e: { stderr?: string; message: string }) => {
    throw new Error(`ceph ${cmds.join('; ')}: ${e.stderr || e.message}`)
  })
  if (/^Error /m.test(stderr)) throw new Error(`ceph ${cmds.join('; ')}: ${stderr}`)
}

/** Sends one command to a daemon's admin socket: JSON + NUL; the answer is a u32 BE length + JSON. */
function adminSocket(path: string, prefix: string): Promise<{ state?: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(path, () => sock.end(`${JSON.stringify({ prefix })}\0`))
    const chunks: Buffer[] = []
    sock.setTimeout(2000, () => sock.destroy(new Error(`${path}: no answer`)))
    sock.on('data', (c) => chunks.push(c))
    sock.on('error', reject)
    sock.on('close', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).subarray(4).toString('utf8')))
      } catch (err) {
        reject(err)
      }
    })
  })
}

/**
 * Free 127.0.0.1 ports: each preferred port if it can be bound, else an ephemeral one (for 0).
 * All stay bound until every one is chosen, so that two ephemeral picks can't be the same port.
 */
async function freePorts(preferred: number[]): Promise<number[]> {
  const servers: Server[] = []
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const s = createServer()
      s.once('error', reject)
      s.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(s))
    })
  try {
    for (const port of preferred) servers.push(await listen(port).catch(() => listen(0)))
    return servers.map((s) => (s.address() as { port: number }).port)
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  }
}
