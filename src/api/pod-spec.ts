// v1 PodSpec, the part Pods, ReplicaSets and Deployments share: containers (image, command, args,
// ports, env, probes), placement (nodeName, nodeSelector, tolerations) and lifecycle
// (restartPolicy, terminationGracePeriodSeconds). Defaults and checks follow the API server's
// (k8s.io/kubernetes pkg/apis/core/v1/defaults.go and pkg/apis/core/validation/validation.go).
import { z } from 'zod';

const label1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// IANA_SVC_NAME: at most 15 characters, lower case letters, digits and '-', at least one letter.
const ianaSvcName = /^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-))*[a-z0-9]$|^[a-z]$/;
// The image reference grammar of github.com/distribution/reference (registry, path, tag, digest).
const imageRef =
  /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const envName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export const PortNumber = z.number().int().min(1, 'must be 1..65535').max(65535, 'must be 1..65535');
const nonNegative = z.number().int().nonnegative('must not be negative');
const positive = z.number().int().min(1, 'must be at least 1');

/** A port named in a container (`http`) or its number. */
export const IntOrPortName = z.union([
  PortNumber,
  z.string().regex(ianaSvcName, 'must be a port number or an IANA service name (e.g. "http")'),
]);

const HttpGet = z.strictObject({
  path: z.string().default('/'),
  port: IntOrPortName,
  host: z.string().optional(),
  scheme: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
  httpHeaders: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
});

export const ProbeSchema = z
  .strictObject({
    httpGet: HttpGet.optional(),
    tcpSocket: z.strictObject({ port: IntOrPortName, host: z.string().optional() }).optional(),
    exec: z.strictObject({ command: z.array(z.string()).min(1, 'must not be empty') }).optional(),
    initialDelaySeconds: nonNegative.default(0),
    periodSeconds: positive.default(10),
    timeoutSeconds: positive.default(1),
    successThreshold: positive.default(1),
    failureThreshold: positive.default(3),
  })
  .superRefine((p, ctx) => {
    const handlers = [p.httpGet, p.tcpSocket, p.exec].filter((h) => h !== undefined).length;
    if (handlers !== 1)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `must have exactly one of httpGet, tcpSocket, exec (has ${handlers})`,
      });
  });
export type Probe = z.infer<typeof ProbeSchema>;

// A lifecycle hook (v1 LifecycleHandler): exactly one of exec, httpGet, sleep (KEP-3960,
// `sleep.seconds`). tcpSocket is deprecated there and never run by the kubelet, so it is refused.
const LifecycleHandler = z
  .strictObject({
    exec: z.strictObject({ command: z.array(z.string()).min(1, 'must not be empty') }).optional(),
    httpGet: HttpGet.optional(),
    sleep: z.strictObject({ seconds: nonNegative }).optional(),
  })
  .superRefine((h, ctx) => {
    const handlers = [h.exec, h.httpGet, h.sleep].filter((x) => x !== undefined).length;
    if (handlers !== 1)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `must have exactly one of exec, httpGet, sleep (has ${handlers})`,
      });
  });
export type LifecycleHandler = z.infer<typeof LifecycleHandler>;

const ContainerPort = z.strictObject({
  name: z
    .string()
    .max(15, 'must be at most 15 characters')
    .refine((s) => ianaSvcName.test(s), {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not an IANA service name (lower case letters, digits and '-', e.g. "http")`,
    })
    .optional(),
  containerPort: PortNumber,
  hostPort: PortNumber.optional(),
  hostIP: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP'),
});

const EnvVar = z.strictObject({
  name: z.string().refine((s) => envName.test(s), {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a valid variable name (letters, digits, "_", "-", "."; not starting with a digit)`,
  }),
  value: z.string().optional(),
});

const Resources = z.strictObject({
  limits: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  requests: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

export const ContainerSchema = z.strictObject({
  name: z
    .string()
    .max(63, 'must be at most 63 characters')
    .regex(label1123, "must be a DNS-1123 label (lower case letters, digits and '-')"),
  // Only the reference's form is checked here. An image that is well-formed but that the lab has
  // no program for (e.g. "redis") is accepted, as the API server accepts any pullable name; the
  // lab's kubelet then reports ErrImagePull in the Pod's status, as a real kubelet would.
  image: z
    .string({ error: (iss) => (iss.input === undefined ? 'required' : 'must be a string') })
    .min(1, 'required')
    .refine((s) => imageRef.test(s), {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a valid image reference (lower case; e.g. "nginx", "nginx:1.27", "traefik/whoami")`,
    }),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  ports: z.array(ContainerPort).optional(),
  env: z.array(EnvVar).optional(),
  resources: Resources.optional(),
  readinessProbe: ProbeSchema.optional(),
  livenessProbe: ProbeSchema.optional(),
  // preStop runs before the stop signal, within the grace period: how a Deployment keeps serving
  // while the Service's endpoints catch up with its deletion.
  lifecycle: z.strictObject({ preStop: LifecycleHandler.optional() }).optional(),
});
export type Container = z.infer<typeof ContainerSchema>;

const Toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).default('Equal'),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});
export type Toleration = z.infer<typeof Toleration>;

export const PodSpecSchema = z
  .strictObject({
    containers: z.array(ContainerSchema).min(1, 'must have at least one container'),
    nodeName: z.string().min(1).optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(Toleration).optional(),
    restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).default('Always'),
    terminationGracePeriodSeconds: nonNegative.default(30),
    hostname: z.string().regex(label1123, 'must be a DNS-1123 label').optional(),
    dnsPolicy: z.enum(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']).optional(),
    schedulerName: z.string().optional(),
    priority: z.number().int().optional(),
  })
  .superRefine((spec, ctx) => {
    const names = new Set<string>();
    const ports = new Set<string>();
    spec.containers.forEach((c, i) => {
      if (names.has(c.name))
        ctx.addIssue({
          code: 'custom',
          path: ['containers', i, 'name'],
          message: `duplicate name "${c.name}"`,
        });
      names.add(c.name);
      (c.ports ?? []).forEach((p, j) => {
        if (p.name === undefined) return;
        if (ports.has(p.name))
          ctx.addIssue({
            code: 'custom',
            path: ['containers', i, 'ports', j, 'name'],
            message: `duplicate port name "${p.name}" in the pod`,
          });
        ports.add(p.name);
      });
      const hookPort = c.lifecycle?.preStop?.httpGet?.port;
      if (typeof hookPort === 'string' && !(c.ports ?? []).some((p) => p.name === hookPort))
        ctx.addIssue({
          code: 'custom',
          path: ['containers', i, 'lifecycle', 'preStop', 'httpGet', 'port'],
          message: `names no port of container "${c.name}"`,
        });
      for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
        const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
        if (typeof port === 'string' && !(c.ports ?? []).some((p) => p.name === port))
          ctx.addIssue({
            code: 'custom',
            path: ['containers', i, probe, c[probe]?.httpGet ? 'httpGet' : 'tcpSocket', 'port'],
            message: `names no port of container "${c.name}"`,
          });
      }
    });
    (spec.tolerations ?? []).forEach((t, i) => {
      if (t.operator === 'Exists' && t.value)
        ctx.addIssue({
          code: 'custom',
          path: ['tolerations', i, 'value'],
          message: 'must be empty when operator is Exists',
        });
      if (!t.key && t.operator !== 'Exists')
        ctx.addIssue({
          code: 'custom',
          path: ['tolerations', i, 'operator'],
          message: 'must be Exists when key is empty',
        });
    });
  });
export type PodSpec = z.infer<typeof PodSpecSchema>;

/** The pod template of ReplicaSets and Deployments: labels and annotations plus a PodSpec. */
export const PodTemplateSchema = z.strictObject({
  metadata: z
    .strictObject({
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
      name: z.string().optional(),
    })
    .default({}),
  spec: PodSpecSchema,
});
export type PodTemplate = z.infer<typeof PodTemplateSchema>;
