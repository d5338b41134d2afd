// Preflight: can this host run waggle's datapath? Each check says what it looked at and, when it
// fails, what to do. Used by `waggle preflight` and before anything loads BPF.
import { readFileSync, statfsSync } from 'node:fs';
import { release } from 'node:os';
import { BpfObject } from '../bpf/index.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
}

const BPF_FS_MAGIC = 0xcafe4a11;
const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;
const CAP_BPF = 39n;

function effectiveCaps(): bigint {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CapEff:'));
  return line ? BigInt(`0x${line.split(/\s+/)[1] ?? '0'}`) : 0n;
}

const has = (caps: bigint, cap: bigint) => (caps & (1n << cap)) !== 0n;

export function checkPrivileges(): CheckResult {
  const caps = effectiveCaps();
  const bpf = has(caps, CAP_BPF) || has(caps, CAP_SYS_ADMIN);
  const net = has(caps, CAP_NET_ADMIN);
  const missing = [!bpf && 'CAP_BPF', !net && 'CAP_NET_ADMIN'].filter(Boolean);
  return {
    name: 'privileges',
    ok: missing.length === 0,
    required: true,
    detail:
      missing.length === 0
        ? `uid ${process.getuid?.() ?? '?'} with CAP_BPF and CAP_NET_ADMIN`
        : `missing ${missing.join(' and ')}: run as root (sudo) or grant them`,
  };
}

export function checkKernel(): CheckResult {
  const [major = 0, minor = 0] = release()
    .split(/[.-]/)
    .map((n) => Number.parseInt(n, 10));
  const ok = major > 5 || (major === 5 && minor >= 15);
  return { name: 'kernel', ok, required: true, detail: `Linux ${release()}${ok ? '' : ' (need ≥ 5.15)'}` };
}

export function checkBtf(): CheckResult {
  try {
    statfsSync('/sys/kernel/btf/vmlinux');
    return { name: 'kernel BTF', ok: true, required: false, detail: '/sys/kernel/btf/vmlinux present' };
  } catch {
    return {
      name: 'kernel BTF',
      ok: false,
      required: false,
      detail: 'no /sys/kernel/btf/vmlinux (bpftool shows less)',
    };
  }
}

export function checkBpffs(dir: string): CheckResult {
  try {
    const st = statfsSync(dir);
    const ok = Number(st.type) === BPF_FS_MAGIC;
    return {
      name: 'bpffs',
      ok,
      required: true,
      detail: ok ? `${dir} is on bpffs` : `${dir} is not on bpffs: mount -t bpf bpf ${dir}`,
    };
  } catch {
    return {
      name: 'bpffs',
      ok: false,
      required: true,
      detail: `${dir} does not exist: mount -t bpf bpf ${dir}`,
    };
  }
}

/** Loads (and immediately closes) a compiled object: the one check that proves BPF really works. */
export function checkLoad(objPath: string): CheckResult {
  const obj = BpfObject.open(objPath);
  try {
    obj.load();
    return {
      name: 'load',
      ok: true,
      required: true,
      detail: `loaded ${objPath} (${obj.programNames().join(', ')})`,
    };
  } finally {
    obj.close();
  }
}
