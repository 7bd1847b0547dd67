/**
 * The `gcp` and `azure` auth-providers of old kubeconfigs: client-node runs their `cmd-path` with execSync, with
 * no time limit, which freezes the whole main process while it runs (a gcloud login waiting for a browser
 * freezes it for good). kubectl removed both in 1.26; Firebreak refuses them the same way, with the way out.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';

const WAY_OUT: Record<string, string> = {
  gcp: 'Use the exec plugin instead: `gcloud components install gke-gcloud-auth-plugin`, then `gcloud container clusters get-credentials <cluster>` rewrites the entry.',
  azure:
    'Use kubelogin instead: `kubelogin convert-kubeconfig -l azurecli` (or `az aks get-credentials` again) rewrites the entry.',
};

class RemovedAuthProvider {
  isAuthProvider(user: { authProvider?: { name?: unknown } | null } | null | undefined): boolean {
    const name = user?.authProvider?.name;
    return typeof name === 'string' && name in WAY_OUT;
  }

  applyAuthentication(user: { name: string; authProvider?: { name?: unknown } | null }): Promise<void> {
    const name = String(user.authProvider?.name);
    return Promise.reject(
      new AppError(
        'CLUSTER_AUTH_FAILED',
        `The kubeconfig user "${user.name}" uses the \`${name}\` auth-provider, which kubectl removed in 1.26 (it ran a command that blocks).`,
        WAY_OUT[name] ?? 'Regenerate the kubeconfig entry with an exec credential plugin.',
        { user: user.name, authProvider: name },
      ),
    );
  }
}

/** Puts the refusal in place of client-node's GoogleCloudPlatformAuth and AzureAuth in `kc`. */
export function refuseRemovedAuthProviders(kc: KubeConfig): void {
  const list = (kc as unknown as { authenticators?: unknown[] }).authenticators;
  if (!Array.isArray(list)) return;
  const refusal = new RemovedAuthProvider();
  for (let i = 0; i < list.length; i++) {
    const name = (list[i] as { constructor?: { name?: string } } | undefined)?.constructor?.name;
    if (name === 'GoogleCloudPlatformAuth' || name === 'AzureAuth') list[i] = refusal;
  }
}
