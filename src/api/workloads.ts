// apps/v1 Deployment and ReplicaSet: replicas, selector, pod template and the rolling update
// strategy, with the API server's defaults (25% surge and unavailability, 10 revisions kept,
// 600 s progress deadline) and its checks: the selector must be non-empty and match the
// template's labels (pkg/apis/apps/validation/validation.go), surge and unavailability not both 0.
import { z } from 'zod';
import { ConditionSchema, LabelSelectorSchema, ObjectName, objectMeta } from './meta.js';
import { PodTemplateSchema } from './pod-spec.js';
import { labelSelectorMatches } from './selector.js';

const nonNegative = z.number().int().nonnegative('must not be negative');

/** An absolute number or a percentage ("25%"), as intstr.IntOrString in the rolling update. */
export const IntOrPercent = z.union([
  nonNegative,
  z.string().regex(/^(100|[1-9]?[0-9])%$/, 'must be a number or a percentage 0%..100%'),
]);

type SelectorAndTemplate = {
  selector: z.infer<typeof LabelSelectorSchema>;
  template: { metadata: { labels?: Record<string, string> | undefined } };
};

function checkSelector(spec: SelectorAndTemplate, ctx: z.RefinementCtx): void {
  const { matchLabels, matchExpressions } = spec.selector;
  if (Object.keys(matchLabels ?? {}).length === 0 && (matchExpressions ?? []).length === 0) {
    ctx.addIssue({ code: 'custom', path: ['selector'], message: 'must not be empty' });
    return;
  }
  const matches = labelSelectorMatches(spec.selector, spec.template.metadata.labels ?? {});
  if (matches === false)
    ctx.addIssue({
      code: 'custom',
      path: ['template', 'metadata', 'labels'],
      message: '`selector` does not match template `labels`',
    });
  else if (matches !== true) {
    // "matchExpressions[0]: values: …" from the selector check becomes the field's own path.
    const m = /^matchExpressions\[(\d+)\]: (?:(key|values): )?(.*)$/s.exec(matches.message);
    ctx.addIssue({
      code: 'custom',
      path: m ? ['selector', 'matchExpressions', Number(m[1]), ...(m[2] ? [m[2]] : [])] : ['selector'],
      message: m ? (m[3] as string) : matches.message,
    });
  }
}

const ReplicaSetSpec = z
  .strictObject({
    replicas: nonNegative.default(1),
    minReadySeconds: nonNegative.optional(),
    selector: LabelSelectorSchema,
    template: PodTemplateSchema,
  })
  .superRefine(checkSelector);

const ReplicaSetStatus = z.strictObject({
  replicas: nonNegative.default(0),
  fullyLabeledReplicas: nonNegative.optional(),
  readyReplicas: nonNegative.optional(),
  availableReplicas: nonNegative.optional(),
  observedGeneration: z.number().int().optional(),
});

export const ReplicaSetSchema = z.strictObject({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('ReplicaSet'),
  metadata: objectMeta(ObjectName),
  spec: ReplicaSetSpec,
  status: ReplicaSetStatus.optional(),
});
export type ReplicaSet = z.infer<typeof ReplicaSetSchema>;

const Strategy = z
  .strictObject({
    type: z.enum(['RollingUpdate', 'Recreate']).default('RollingUpdate'),
    rollingUpdate: z
      .strictObject({ maxSurge: IntOrPercent.default('25%'), maxUnavailable: IntOrPercent.default('25%') })
      .optional(),
  })
  .superRefine((s, ctx) => {
    if (s.type === 'Recreate' && s.rollingUpdate)
      ctx.addIssue({
        code: 'custom',
        path: ['rollingUpdate'],
        message: 'may not be specified when strategy `type` is Recreate',
      });
    const ru = s.rollingUpdate;
    if (
      ru &&
      (ru.maxSurge === 0 || ru.maxSurge === '0%') &&
      (ru.maxUnavailable === 0 || ru.maxUnavailable === '0%')
    )
      ctx.addIssue({
        code: 'custom',
        path: ['rollingUpdate', 'maxUnavailable'],
        message: 'may not be 0 when `maxSurge` is 0',
      });
  })
  .transform((s) =>
    s.type === 'RollingUpdate' && !s.rollingUpdate
      ? { ...s, rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }
      : s,
  );

const DeploymentSpec = z
  .strictObject({
    replicas: nonNegative.default(1),
    selector: LabelSelectorSchema,
    template: PodTemplateSchema,
    // prefault, not default: zod returns a default as is, and the transform must fill rollingUpdate.
    strategy: Strategy.prefault({ type: 'RollingUpdate' }),
    minReadySeconds: nonNegative.optional(),
    revisionHistoryLimit: nonNegative.default(10),
    progressDeadlineSeconds: z.number().int().min(1, 'must be at least 1').default(600),
    paused: z.boolean().optional(),
  })
  .superRefine(checkSelector);

/** apps/v1 DeploymentCondition: a transition and an update time besides the reason. */
const DeploymentCondition = ConditionSchema.extend({ lastUpdateTime: z.string().optional() });

const DeploymentStatus = z.strictObject({
  observedGeneration: z.number().int().optional(),
  replicas: nonNegative.optional(),
  updatedReplicas: nonNegative.optional(),
  readyReplicas: nonNegative.optional(),
  availableReplicas: nonNegative.optional(),
  unavailableReplicas: nonNegative.optional(),
  conditions: z.array(DeploymentCondition).optional(),
});

export const DeploymentSchema = z.strictObject({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('Deployment'),
  metadata: objectMeta(ObjectName),
  spec: DeploymentSpec,
  status: DeploymentStatus.optional(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;
