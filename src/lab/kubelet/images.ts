// Images the lab can "pull": no registry or container runtime runs here, so each image a seed
// uses maps to a program this machine has, and the mapping says so in the container's status.
// Image references are normalised as docker does (github.com/distribution/reference): an
// optional registry, "library/" for official images, then the tag or digest, which the lab ignores.
import type { Container } from '../../api/index.js';

export type ImageKind = 'nginx' | 'whoami' | 'tools';

export interface LabImage {
  /** The repository, normalised (no registry, no library/, no tag). */
  repository: string;
  kind: ImageKind;
  /** What runs instead, for the status message and `lab` docs. */
  runs: string;
  /** The image's own entrypoint, used when the pod gives args without a command. */
  entrypoint: string[];
  /** The image's STOPSIGNAL: what the kubelet sends to stop the container. */
  stopSignal: 'SIGTERM' | 'SIGQUIT';
}

export const LAB_IMAGES: readonly LabImage[] = [
  // The official nginx image stops with SIGQUIT, nginx's graceful shutdown (its Dockerfile's
  // STOPSIGNAL, github.com/nginxinc/docker-nginx); SIGTERM would be nginx's fast shutdown.
  {
    repository: 'nginx',
    kind: 'nginx',
    runs: "Debian's nginx (apt nginx), default page",
    entrypoint: [],
    stopSignal: 'SIGQUIT',
  },
  {
    repository: 'traefik/whoami',
    kind: 'whoami',
    runs: 'a whoami server in Node',
    entrypoint: [],
    stopSignal: 'SIGTERM',
  },
  {
    repository: 'nicolaka/netshoot',
    kind: 'tools',
    runs: "the host's tools",
    entrypoint: [],
    stopSignal: 'SIGTERM',
  },
  {
    repository: 'curlimages/curl',
    kind: 'tools',
    runs: "the host's curl",
    entrypoint: ['curl'],
    stopSignal: 'SIGTERM',
  },
  { repository: 'busybox', kind: 'tools', runs: "the host's tools", entrypoint: [], stopSignal: 'SIGTERM' },
];

/** `docker.io/library/nginx:1.27@sha256:…` → `nginx`; `ghcr.io/x/y:1` → `ghcr.io/x/y`. */
export function repositoryOf(image: string): string {
  let ref = image.split('@')[0] as string;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > lastSlash) ref = ref.slice(0, colon); // a tag, not a registry port
  for (const prefix of ['docker.io/', 'index.docker.io/', 'registry-1.docker.io/'])
    if (ref.startsWith(prefix)) ref = ref.slice(prefix.length);
  if (ref.startsWith('library/')) ref = ref.slice('library/'.length);
  return ref;
}

export function findLabImage(image: string): LabImage | undefined {
  const repo = repositoryOf(image);
  return LAB_IMAGES.find((i) => i.repository === repo);
}

/** kubelet's reason for an image it cannot pull (pkg/kubelet/images/types.go ErrImagePull). */
export const ERR_IMAGE_PULL = 'ErrImagePull';

export function imagePullMessage(image: string): string {
  const known = LAB_IMAGES.map((i) => `${i.repository}*`).join(', ');
  return `image "${image}" is not available in the lab: it has ${known} (each mapped to a program on this machine)`;
}

/** What a container runs: the program and its arguments, plus the environment it adds. */
export interface Launch {
  image: LabImage;
  argv: string[];
  env: Record<string, string>;
  /** The port the program listens on (nginx, whoami), for the log line. */
  port?: number;
}

export type Resolved = { ok: true; launch: Launch } | { ok: false; reason: string; message: string };

export interface ResolveContext {
  /** The node binary and the compiled whoami server (dist/src/lab/kubelet/images/whoami.js). */
  nodePath: string;
  whoamiPath: string;
  /** The container's own directory (nginx config, pid, temp files). */
  containerDir: string;
}

function envOf(c: Container): Record<string, string> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? '']));
}

/** The whoami port as traefik/whoami picks it: --port, else WHOAMI_PORT_NUMBER, else 80. */
export function whoamiPort(c: Container): number {
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const m = /^--?port(?:=(\d+))?$/.exec(a);
    if (m) return Number(m[1] ?? args[i + 1]);
  }
  const env = envOf(c).WHOAMI_PORT_NUMBER;
  return env ? Number(env) : 80;
}

export function resolveImage(c: Container, ctx: ResolveContext): Resolved {
  const image = findLabImage(c.image);
  if (!image) return { ok: false, reason: ERR_IMAGE_PULL, message: imagePullMessage(c.image) };
  const env = envOf(c);
  switch (image.kind) {
    case 'nginx':
      return {
        ok: true,
        launch: {
          image,
          // -e: the error log before the config is read; the config points it at stderr too.
          argv: ['nginx', '-e', 'stderr', '-p', ctx.containerDir, '-c', `${ctx.containerDir}/nginx.conf`],
          env,
          port: 80,
        },
      };
    case 'whoami': {
      const port = whoamiPort(c);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        return { ok: false, reason: 'CreateContainerConfigError', message: `whoami: bad port "${port}"` };
      const name = env.WHOAMI_NAME;
      return {
        ok: true,
        launch: {
          image,
          argv: [ctx.nodePath, ctx.whoamiPath, '--port', String(port), ...(name ? ['--name', name] : [])],
          env,
          port,
        },
      };
    }
    case 'tools': {
      // Kubernetes: command replaces the entrypoint, args replace the image's CMD
      // (https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/).
      const command = c.command ?? [];
      const args = c.args ?? [];
      let argv: string[];
      if (command.length > 0) argv = [...command, ...args];
      else if (args.length > 0) argv = [...image.entrypoint, ...args];
      else argv = ['sleep', 'infinity'];
      return { ok: true, launch: { image, argv, env } };
    }
  }
}
