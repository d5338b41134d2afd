// The labels a serviceSelector (of a pool or an L2 policy) is matched against: the service's own
// labels plus two synthetic ones, so a selector can pick services by namespace or name.
export const SERVICE_NAMESPACE_LABEL = 'io.kubernetes.service.namespace';
export const SERVICE_NAME_LABEL = 'io.kubernetes.service.name';

export function serviceSelectorLabels(meta: {
  name: string;
  namespace?: string | undefined;
  labels?: Record<string, string> | undefined;
}): Record<string, string> {
  return {
    ...(meta.labels ?? {}),
    [SERVICE_NAMESPACE_LABEL]: meta.namespace ?? 'default',
    [SERVICE_NAME_LABEL]: meta.name,
  };
}
