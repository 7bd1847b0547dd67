import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAwsProfiles, readIniSections } from '../../../main/cost/awsProfiles';
import { ceError } from '../../../main/cost/costExplorer';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-aws-'));
  fs.mkdirSync(path.join(dir, '.aws'));
  fs.writeFileSync(
    path.join(dir, '.aws', 'config'),
    [
      '[default]',
      'region = eu-west-1',
      '',
      '[profile finops-sso]',
      'sso_session = corp',
      'sso_account_id = 123456789012',
      'sso_role_name = BillingReadOnly',
      'region = us-east-1',
      '',
      '[profile legacy-sso]',
      'sso_start_url = https://corp.awsapps.com/start',
      '',
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start',
      'sso_region = us-east-1',
      '',
      '[profile with-s3]',
      's3 =',
      '  max_concurrent_requests = 20',
      '# a comment',
      '[services local]',
      'ce =',
      '  endpoint_url = http://localhost:4566',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(dir, '.aws', 'credentials'),
    [
      '[default]',
      'aws_access_key_id = AKIDDEFAULTKEY',
      'aws_secret_access_key = verysecret',
      '',
      '[ci]',
      'aws_access_key_id=AKIDCI',
      'aws_secret_access_key=alsosecret',
      'aws_session_token=tok',
    ].join('\n'),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('AWS profile picker', () => {
  it('lists profile names from config and credentials, marks SSO ones, and reads no secret', () => {
    const list = listAwsProfiles({ HOME: dir, AWS_PROFILE: 'ci' });
    expect(list.profiles.map((p) => [p.name, p.files, p.sso, p.region])).toEqual([
      ['default', ['config', 'credentials'], false, 'eu-west-1'],
      ['ci', ['credentials'], false, null],
      ['finops-sso', ['config'], true, 'us-east-1'],
      ['legacy-sso', ['config'], true, null],
      ['with-s3', ['config'], false, null],
    ]);
    expect(list.envProfile).toBe('ci');
    expect(list.envKeys).toBe(false);
    expect(list.files).toHaveLength(2);
    const text = JSON.stringify(list);
    for (const secret of ['AKIDDEFAULTKEY', 'verysecret', 'alsosecret', 'tok', 'AKIDCI'])
      expect(text).not.toContain(secret);
  });

  it('follows AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE and copes with missing files', () => {
    const list = listAwsProfiles({
      HOME: '/nonexistent',
      AWS_CONFIG_FILE: path.join(dir, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'nope'),
    });
    expect(list.profiles.map((p) => p.name)).toContain('finops-sso');
    expect(list.files).toEqual([path.join(dir, '.aws', 'config')]);
    expect(listAwsProfiles({ HOME: '/nonexistent' }).profiles).toEqual([]);
  });

  it('keeps only the keys it needs from each section', () => {
    const sections = readIniSections('[x]\naws_secret_access_key = s\nregion = r\n');
    expect([...(sections[0]?.values ?? new Map())]).toEqual([['region', 'r']]);
  });
});

describe('AWS failures read as actions to take', () => {
  const ctx = { profile: 'finops-sso', endpoint: null, requestsMade: 2 };
  it('credentials missing, expired, SSO expired, invalid, denied, throttled', () => {
    const named = (name: string, message: string, extra: object = {}) =>
      Object.assign(new Error(message), { name, ...extra });
    expect(
      ceError(named('CredentialsProviderError', 'Could not load credentials from any providers'), ctx).code,
    ).toBe('AWS_CREDENTIALS_MISSING');
    const expired = ceError(
      named('ExpiredTokenException', 'The security token included in the request is expired'),
      ctx,
    );
    expect(expired.code).toBe('AWS_CREDENTIALS_EXPIRED');
    expect(expired.message).toMatch(/profile "finops-sso".*expired/);
    expect(expired.hint).toMatch(/2 paid requests were made; nothing was saved/);
    const sso = ceError(
      named(
        'CredentialsProviderError',
        'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login',
      ),
      ctx,
    );
    expect(sso.code).toBe('AWS_CREDENTIALS_EXPIRED');
    expect(sso.hint).toMatch(/aws sso login --profile finops-sso/);
    expect(
      ceError(
        named('UnrecognizedClientException', 'The security token included in the request is invalid.'),
        ctx,
      ).code,
    ).toBe('AWS_CREDENTIALS_EXPIRED');
    expect(
      ceError(named('AccessDeniedException', 'User is not authorized to perform ce:GetCostAndUsage'), ctx)
        .code,
    ).toBe('AWS_ACCESS_DENIED');
    const throttled = ceError(
      named('ThrottlingException', 'Rate exceeded', { $metadata: { attempts: 5 } }),
      ctx,
    );
    expect(throttled.code).toBe('AWS_THROTTLED');
    expect(throttled.message).toMatch(/after 5 attempts/);
    const page = ceError(
      named('DataUnavailableException', 'The requested data is unavailable (page 2).', { __page: 2 }),
      ctx,
    );
    expect(page.code).toBe('COST_EXPLORER_ERROR');
    expect(page.message).toMatch(/page 2/);
  });
});
