import { ApiException } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: Array<{ message?: string; field?: string }> };
}

/** Turns whatever @kubernetes/client-node throws into a typed error naming the cluster. */
export function kubeError(err: unknown, cluster: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ApiException) {
    const status = parseStatus(err.body);
    const causes = (status.details?.causes ?? []).map((c) => c.message).filter(Boolean);
    const what = [status.message ?? `HTTP ${err.code}`, ...causes].join(': ');
    switch (err.code) {
      case 401:
        return new AppError(
          'CLUSTER_AUTH_FAILED',
          `The cluster ${cluster} rejected the credentials (401).`,
          'Your credentials have expired or are wrong: log in again (for example `aws eks update-kubeconfig` or `gcloud container clusters get-credentials`), then retry.',
        );
      case 403:
        return new AppError(
          'CLUSTER_FORBIDDEN',
          what,
          'Ask a cluster admin for the RBAC permission named above.',
          {
            status: 403,
          },
        );
      case 404:
        return new AppError('NOT_FOUND', what, 'It may have been deleted; refresh the view.', {
          status: 404,
        });
      case 422:
        // A real API server answers a failed JSON Patch `test` op (our resourceVersion guard) with 422, not 409.
        if (/test(ing value)?\b.*(resourceVersion|failed)|resourceVersion.*test/i.test(what)) {
          return new AppError(
            'CONFLICT',
            `It changed since Firebreak read it (${what})`,
            'Someone changed it at the same time; Firebreak re-read it. Review and try again.',
            { status: 422 },
          );
        }
        return new AppError(
          'CLUSTER_ERROR',
          `The cluster ${cluster} rejected the change: ${what}`,
          'Check the values and retry.',
          {
            status: 422,
          },
        );
      case 409:
        return new AppError(
          'CONFLICT',
          what,
          'Someone changed it at the same time; Firebreak re-read it. Review and try again.',
          { status: 409 },
        );
      default:
        return new AppError(
          'CLUSTER_ERROR',
          `The cluster ${cluster} answered ${err.code}: ${what}`,
          err.code >= 500
            ? 'The API server is having trouble; Firebreak will retry. Check the control plane if it persists.'
            : 'Check the request and your permissions.',
          { status: err.code },
        );
    }
  }
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ETIMEDOUT' || /timed? ?out|aborted/i.test(message)) {
    return new AppError(
      'CLUSTER_UNREACHABLE',
      `The cluster ${cluster} did not answer in time.`,
      'Check your network or VPN, then retry.',
    );
  }
  if (code && /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|EAI_AGAIN|ENETUNREACH)$/.test(code)) {
    return new AppError(
      'CLUSTER_UNREACHABLE',
      `Cannot reach the cluster ${cluster} (${code}).`,
      'Check that the API server address is right and reachable (VPN, bastion, sandbox running), then retry.',
    );
  }
  if (/certificate|self[- ]signed|CERT_/i.test(message) || (code && code.startsWith('CERT_'))) {
    return new AppError(
      'CLUSTER_UNREACHABLE',
      `The cluster ${cluster} presented a certificate that is not trusted.`,
      'Check certificate-authority-data in the kubeconfig.',
    );
  }
  if (/exec|plugin|ENOENT/i.test(message)) {
    return new AppError(
      'CLUSTER_AUTH_FAILED',
      `The kubeconfig's credential plugin for ${cluster} failed: ${message.split('\n')[0]}`,
      'Check that the plugin (aws, gke-gcloud-auth-plugin, kubelogin …) is installed and on your login shell PATH, and that you are logged in.',
    );
  }
  return new AppError(
    'CLUSTER_ERROR',
    `The cluster ${cluster} request failed: ${message.split('\n')[0]}`,
    'Retry.',
  );
}

function parseStatus(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  return (body ?? {}) as StatusBody;
}

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
