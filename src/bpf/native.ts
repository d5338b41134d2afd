// The only module that declares native functions. Everything that reaches libbpf or libc goes
// through the typed wrappers in this folder, which turn errno results into BpfError values.
//
// libbpf 1.x semantics apply: int-returning calls give a negative errno on failure; pointer-
// returning calls give NULL and set errno (read with koffi.errno()).
import koffi from 'koffi';

export type Pointer = unknown;

const libbpf = koffi.load('libbpf.so.1');
const libc = koffi.load('libc.so.6');

// struct bpf_tc_hook / bpf_tc_opts from <bpf/libbpf.h>. The trailing `size_t :0` in the C
// definitions only pads to size_t alignment, which koffi's layout reproduces.
export const TcHook = koffi.struct('bpf_tc_hook', {
  sz: 'size_t',
  ifindex: 'int',
  attach_point: 'int',
  parent: 'uint32_t',
});
export const TcOpts = koffi.struct('bpf_tc_opts', {
  sz: 'size_t',
  prog_fd: 'int',
  flags: 'uint32_t',
  prog_id: 'uint32_t',
  handle: 'uint32_t',
  priority: 'uint32_t',
});

// struct bpf_test_run_opts from <bpf/bpf.h> (libbpf 1.1 layout, 80 bytes).
export const TestRunOpts = koffi.struct('bpf_test_run_opts', {
  sz: 'size_t',
  data_in: 'void *',
  data_out: 'void *',
  data_size_in: 'uint32_t',
  data_size_out: 'uint32_t',
  ctx_in: 'void *',
  ctx_out: 'void *',
  ctx_size_in: 'uint32_t',
  ctx_size_out: 'uint32_t',
  retval: 'uint32_t',
  repeat: 'int',
  duration: 'uint32_t',
  flags: 'uint32_t',
  cpu: 'uint32_t',
  batch_size: 'uint32_t',
});

export const Timespec = koffi.struct('timespec', { tv_sec: 'int64_t', tv_nsec: 'int64_t' });

koffi.opaque('bpf_object');
koffi.opaque('bpf_program');
koffi.opaque('bpf_map');
koffi.opaque('btf');
koffi.opaque('ring_buffer');

/** libbpf's ring_buffer_sample_fn: called once per record during ring_buffer__consume(). */
export const RingBufferSampleFn = koffi.pointer(
  koffi.proto('int ring_buffer_sample_fn(void *ctx, void *data, size_t size)'),
);

export const bpf = {
  objectOpenFile: libbpf.func('bpf_object *bpf_object__open_file(const char *path, void *opts)'),
  objectLoad: libbpf.func('int bpf_object__load(bpf_object *obj)'),
  objectClose: libbpf.func('void bpf_object__close(bpf_object *obj)'),
  objectBtf: libbpf.func('btf *bpf_object__btf(const bpf_object *obj)'),
  findProgram: libbpf.func(
    'bpf_program *bpf_object__find_program_by_name(const bpf_object *obj, const char *name)',
  ),
  findMap: libbpf.func('bpf_map *bpf_object__find_map_by_name(const bpf_object *obj, const char *name)'),
  nextProgram: libbpf.func('bpf_program *bpf_object__next_program(const bpf_object *obj, bpf_program *prog)'),
  nextMap: libbpf.func('bpf_map *bpf_object__next_map(const bpf_object *obj, const bpf_map *map)'),

  programFd: libbpf.func('int bpf_program__fd(const bpf_program *prog)'),
  programName: libbpf.func('const char *bpf_program__name(const bpf_program *prog)'),
  programSetType: libbpf.func('int bpf_program__set_type(bpf_program *prog, int type)'),

  mapFd: libbpf.func('int bpf_map__fd(const bpf_map *map)'),
  mapName: libbpf.func('const char *bpf_map__name(const bpf_map *map)'),
  mapType: libbpf.func('int bpf_map__type(const bpf_map *map)'),
  mapKeySize: libbpf.func('uint32_t bpf_map__key_size(const bpf_map *map)'),
  mapValueSize: libbpf.func('uint32_t bpf_map__value_size(const bpf_map *map)'),
  mapMaxEntries: libbpf.func('uint32_t bpf_map__max_entries(const bpf_map *map)'),
  mapFlags: libbpf.func('uint32_t bpf_map__map_flags(const bpf_map *map)'),
  mapSetPinPath: libbpf.func('int bpf_map__set_pin_path(bpf_map *map, const char *path)'),
  mapSetMaxEntries: libbpf.func('int bpf_map__set_max_entries(bpf_map *map, uint32_t max_entries)'),
  mapInitialValue: libbpf.func('void *bpf_map__initial_value(bpf_map *map, _Out_ size_t *psize)'),

  btfFindByNameKind: libbpf.func(
    'int btf__find_by_name_kind(const btf *btf, const char *name, uint32_t kind)',
  ),
  btfTypeById: libbpf.func('const void *btf__type_by_id(const btf *btf, uint32_t id)'),
  btfNameByOffset: libbpf.func('const char *btf__name_by_offset(const btf *btf, uint32_t offset)'),
  btfResolveType: libbpf.func('int btf__resolve_type(const btf *btf, uint32_t type_id)'),
  btfResolveSize: libbpf.func('int64_t btf__resolve_size(const btf *btf, uint32_t type_id)'),
  mapBtfKeyTypeId: libbpf.func('uint32_t bpf_map__btf_key_type_id(const bpf_map *map)'),
  mapBtfValueTypeId: libbpf.func('uint32_t bpf_map__btf_value_type_id(const bpf_map *map)'),
  numPossibleCpus: libbpf.func('int libbpf_num_possible_cpus(void)'),

  mapLookup: libbpf.func('int bpf_map_lookup_elem(int fd, const void *key, void *value)'),
  mapUpdate: libbpf.func(
    'int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)',
  ),
  mapDelete: libbpf.func('int bpf_map_delete_elem(int fd, const void *key)'),
  mapNextKey: libbpf.func('int bpf_map_get_next_key(int fd, const void *key, void *next_key)'),
  objGet: libbpf.func('int bpf_obj_get(const char *pathname)'),
  objPin: libbpf.func('int bpf_obj_pin(int fd, const char *pathname)'),
  objGetInfoByFd: libbpf.func('int bpf_obj_get_info_by_fd(int fd, void *info, _Inout_ uint32_t *info_len)'),

  tcHookCreate: libbpf.func('int bpf_tc_hook_create(bpf_tc_hook *hook)'),
  tcHookDestroy: libbpf.func('int bpf_tc_hook_destroy(bpf_tc_hook *hook)'),
  tcAttach: libbpf.func('int bpf_tc_attach(const bpf_tc_hook *hook, _Inout_ bpf_tc_opts *opts)'),
  tcDetach: libbpf.func('int bpf_tc_detach(const bpf_tc_hook *hook, const bpf_tc_opts *opts)'),
  tcQuery: libbpf.func('int bpf_tc_query(const bpf_tc_hook *hook, _Inout_ bpf_tc_opts *opts)'),
  // Low-level BPF_LINK_CREATE: libbpf 1.1 predates tcx helpers, but passes unknown attach types
  // straight through, and for BPF_TCX_* the kernel reads target_fd as the ifindex.
  linkCreate: libbpf.func('int bpf_link_create(int prog_fd, int target_fd, int attach_type, void *opts)'),

  ringBufferNew: libbpf.func(
    'ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn *sample_cb, void *ctx, const void *opts)',
  ),
  ringBufferConsume: libbpf.func('int ring_buffer__consume(ring_buffer *rb)'),
  ringBufferEpollFd: libbpf.func('int ring_buffer__epoll_fd(const ring_buffer *rb)'),
  ringBufferFree: libbpf.func('void ring_buffer__free(ring_buffer *rb)'),

  progTestRun: libbpf.func('int bpf_prog_test_run_opts(int prog_fd, _Inout_ bpf_test_run_opts *opts)'),
  setPrint: libbpf.func('void *libbpf_set_print(void *fn)'),
  probeHelper: libbpf.func('int libbpf_probe_bpf_helper(int prog_type, int helper_id, const void *opts)'),
};

export const c = {
  close: libc.func('int close(int fd)'),
  setns: libc.func('int setns(int fd, int nstype)'),
  open: libc.func('int open(const char *path, int flags)'),
  socket: libc.func('int socket(int domain, int type, int protocol)'),
  bind: libc.func('int bind(int fd, const void *addr, uint32_t len)'),
  sendto: libc.func(
    'intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t alen)',
  ),
  clockGettime: libc.func('int clock_gettime(int clk, _Out_ timespec *ts)'),
  strerror: libc.func('const char *strerror(int errnum)'),
};

export function errno(): number {
  return koffi.errno();
}

export function view(ptr: Pointer, len: number): Buffer {
  return Buffer.from(koffi.view(ptr, len));
}

/** A copy of `len` bytes at `ptr`, which stays valid after the native memory is reused. */
export function copyOut(ptr: Pointer, len: number): Buffer {
  return Buffer.from(new Uint8Array(koffi.view(ptr, len)));
}

/** Registers a JS function as a native callback of type `proto`; free it with unregister(). */
export function register(fn: (...args: never[]) => unknown, proto: unknown): Pointer {
  return koffi.register(fn, proto as Parameters<typeof koffi.sizeof>[0]);
}

export function unregister(cb: Pointer): void {
  koffi.unregister(cb as bigint);
}

export function alloc(len: number): { ptr: Pointer; buf: Buffer; free(): void } {
  const ptr = koffi.alloc('uint8_t', Math.max(1, len));
  return { ptr, buf: view(ptr, Math.max(1, len)), free: () => koffi.free(ptr) };
}

export function decodeU32(ptr: Pointer, offset: number): number {
  return koffi.decode(ptr, offset, 'uint32_t') as number;
}

export function sizeOf(type: unknown): number {
  return koffi.sizeof(type as Parameters<typeof koffi.sizeof>[0]);
}

// libbpf prints warnings to stderr by default; silence it so that our typed errors are the one
// place a user reads about a failure. WAGGLE_LIBBPF_DEBUG=1 keeps libbpf's own messages.
if (process.env.WAGGLE_LIBBPF_DEBUG !== '1') {
  const cb = koffi.register(
    () => 0,
    koffi.pointer(koffi.proto('int libbpf_print_fn(int, const char *, void *)')),
  );
  bpf.setPrint(cb);
}
