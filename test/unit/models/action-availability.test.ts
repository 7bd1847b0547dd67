import { describe, expect, it } from 'vitest';
import { notApplicable } from '../../../renderer/views/models/detail/actionAvailability';

const replicas = { ready: 2, desired: 2 };

describe('actions that do not apply are disabled with the reason', () => {
  it('Resume on a running Deployment, Pause on a paused one', () => {
    expect(notApplicable('resume', { paused: false, replicas })).toMatch(
      /^Not paused: the rollout is running/,
    );
    expect(notApplicable('pause', { paused: false, replicas })).toBeNull();
    expect(notApplicable('pause', { paused: true, replicas })).toMatch(/^Already paused/);
    expect(notApplicable('resume', { paused: true, replicas })).toBeNull();
  });

  it('an unknown state leaves every action to the dry run', () => {
    for (const a of ['pause', 'resume', 'restart', 'rollback'] as const)
      expect(notApplicable(a, { replicas })).toBeNull();
  });
});
