import { spawn, spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, stopperOf, waitForHttp } from './processes.ts'
import type { Peer } from './target.ts'

const NGINX = '/usr/sbin/nginx'

/**
 * nginx.conf for the peer: one worker on 127.0.0.1, GET with sendfile, PUT through the WebDAV
 * module, no body size limit, no access log, every path (pid, temp files, logs) inside `dir`.
 */
function nginxConf(dir: string, port: number): string {
  // As root, nginx would switch its worker to `nobody`, which can't write into our temp dir.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : ''
  const temp = (name: string) => `${name}_temp_path ${join(dir, 'temp', name)};`
  return `${user}worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  # Long-lived keep-alive connections, as Node's server keeps them (nginx's default closes at 1000).
  keepalive_requests 1000000;
  client_max_body_size 0;
  ${temp('client_body')}
  ${temp('proxy')}
  ${temp('fastcgi')}
  ${temp('uwsgi')}
  ${temp('scgi')}
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${join(dir, 'www')};
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw;
    }
  }
}
`
}

/**
 * Starts nginx from Debian as a process of its own with a generated config in a fresh temp
 * directory, on a free port; installs it first with `scripts/install-nginx.sh` when it is missing.
 * Never touches the system's nginx (its config, service, logs or pid file).
 */
export async function startNginx(): Promise<Peer> {
  if (spawnSync(NGINX, ['-v']).status !== 0) {
    // A fresh machine: install it (Debian's nginx-light, through apt) as the script does for CI.
    const script = new URL('../../scripts/install-nginx.sh', import.meta.url).pathname
    spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] })
    if (spawnSync(NGINX, ['-v']).status !== 0) {
      throw new Error(`${NGINX} is not installed and scripts/install-nginx.sh could not install it`)
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-nginx-'))
  for (const sub of ['www', 'temp']) mkdirSync(join(dir, sub))
  const port = await freePort()
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, nginxConf(dir, port))
  // -e: the error log before the config is read, else nginx opens /var/log/nginx/error.log.
  const out = openSync(join(dir, 'nginx.out'), 'a')
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', out, out],
  })
  closeSync(out)
  // SIGTERM: nginx's fast shutdown; the master stops its worker before it exits.
  const stop = stopperOf(child, dir, 5000)
  const origin = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(`${origin}/`, child, 10_000)
  } catch (error) {
    const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')
    await stop()
    throw new Error(`nginx did not start: ${(error as Error).message}\n${log}`)
  }
  const spec = async (key: string) => ({ url: `${origin}/${key}`, headers: {} })
  return { name: 'nginx', pid: child.pid as number, get: spec, put: spec, stop }
}
