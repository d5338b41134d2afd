// The node proxy: renders the model into its own directory, and only when the bytes differ
// validates the candidate with `haproxy -c`, moves it in place and reloads. A candidate that
// fails validation is kept beside the running one (haproxy.cfg.rejected) and reported; the proxy
// keeps serving the last good config. Certificates are written 0600, per generation, before the config naming them.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderCrtList, renderHaproxyConfig } from './haproxy-config.js';
import { checkHaproxyConfig, HaproxyProcess } from './haproxy-process.js';
import type { ProxyModel } from './routes.js';

export interface IngressProxyOptions {
  dir: string;
  binary: string;
  addresses: string[];
  httpPort: number;
  httpsPort: number;
  log(msg: string): void;
}

export interface IngressProxyStatus {
  pid: number | null;
  generation: number;
  routes: number;
  backends: number;
  certificates: number;
  restarts: number;
  lastError: string | null;
  skipped: ProxyModel['skipped'];
}

export class IngressProxy {
  #proc: HaproxyProcess;
  #current = '';
  #generation = 0;
  #routes = 0;
  #backends = 0;
  #certs = 0;
  #lastError: string | null = null;
  #skipped: ProxyModel['skipped'] = [];
  readonly #cfg: string;

  constructor(private readonly o: IngressProxyOptions) {
    this.#cfg = join(o.dir, 'haproxy.cfg');
    this.#proc = new HaproxyProcess({
      binary: o.binary,
      configPath: this.#cfg,
      masterSocket: join(o.dir, 'master.sock'),
      pidFile: join(o.dir, 'haproxy.pid'),
      log: o.log,
    });
  }

  /** Renders and, if changed and valid, (re)starts; returns whether the running config changed. */
  async apply(m: ProxyModel): Promise<boolean> {
    this.#skipped = m.skipped;
    const next = this.#generation + 1;
    // Each generation has its own certificate directory: a candidate never overwrites the files
    // the running config names, so a rejected one (or a restart after it) still finds them.
    const certDir = join(this.o.dir, `certs-${next}`);
    const crtList = join(certDir, 'crt-list');
    const text = renderHaproxyConfig(m, {
      addresses: this.o.addresses,
      httpPort: this.o.httpPort,
      httpsPort: this.o.httpsPort,
      adminSocket: join(this.o.dir, 'admin.sock'),
      crtList,
      certDir,
    });
    const list = renderCrtList(m, certDir);
    // Compared without the generation number, which is in every path.
    const whole = `${text}\n${list}\n${m.certs.map((c) => c.pem).join('')}`.replaceAll(
      `certs-${next}`,
      'certs-N',
    );
    if (whole === this.#current) return false;
    await rm(certDir, { recursive: true, force: true });
    await mkdir(certDir, { recursive: true, mode: 0o700 });
    for (const c of m.certs) await writeFile(join(certDir, `${c.name}.pem`), c.pem, { mode: 0o600 });
    await writeFile(crtList, list, { mode: 0o600 });
    const candidate = `${this.#cfg}.candidate`;
    await writeFile(candidate, text, { mode: 0o600 });
    const error = await checkHaproxyConfig(this.o.binary, candidate);
    if (error) {
      this.#lastError = `config generation ${next} rejected by haproxy -c: ${error}`;
      this.o.log(`ingress: ${this.#lastError}; keeping generation ${this.#generation}`);
      await rename(candidate, `${this.#cfg}.rejected`);
      await rm(certDir, { recursive: true, force: true });
      this.#current = whole; // the same input would fail the same way; wait for a change
      return false;
    }
    await rename(candidate, this.#cfg);
    const previous = join(this.o.dir, `certs-${this.#generation}`);
    this.#current = whole;
    this.#generation = next;
    this.#lastError = null;
    this.#routes = m.vhosts.reduce((n, v) => n + v.routes.length, 0);
    this.#backends = m.backends.length;
    this.#certs = m.certs.length;
    // A master left by a crashed agent keeps serving; it is adopted and reloaded, not doubled.
    if (this.#proc.pid !== undefined || this.#proc.adopt()) this.#proc.reload();
    else this.#proc.start();
    // The old worker read its certificates at start; the files are no longer needed.
    await rm(previous, { recursive: true, force: true });
    this.o.log(
      `ingress: config generation ${this.#generation} (${this.#routes} routes, ${this.#backends} backends)`,
    );
    return true;
  }

  get pid(): number | undefined {
    return this.#proc.pid;
  }

  /** The running config, for tests and `waggle status` debugging. */
  config(): Promise<string> {
    return readFile(this.#cfg, 'utf8');
  }

  status(): IngressProxyStatus {
    return {
      pid: this.#proc.pid ?? null,
      generation: this.#generation,
      routes: this.#routes,
      backends: this.#backends,
      certificates: this.#certs,
      restarts: this.#proc.restarts,
      lastError: this.#lastError,
      skipped: this.#skipped,
    };
  }

  async stop(): Promise<void> {
    await this.#proc.stop();
    await rm(join(this.o.dir, 'master.sock'), { force: true });
  }
}
